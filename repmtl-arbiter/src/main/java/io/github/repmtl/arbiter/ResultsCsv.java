package io.github.repmtl.arbiter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders candidate records as CSV, one row per candidate in index order. Fixed columns (configuration, score,
 * Delta-p, validation loss, time, status, error) come first, then one column per task metric
 * ({@code <task>.<metric>}), per-task Delta-p ({@code <task>.deltaP}) and per-task validation loss
 * ({@code <task>.loss}), in order of first appearance. Numbers are written exactly (shortest round-trip form).
 */
final class ResultsCsv {
    private static final List<String> FIXED = List.of("index", "status", "score", "lambdaTsr", "lambdaCsa", "tau", "csaVariant",
            "logTransform", "learningRate", "strategy", "deltaPTask", "deltaPMetric", "validationLoss", "selectedEpochs", "seconds", "finishedAt");

    private ResultsCsv() {}

    static String render(List<CandidateRecord> records) {
        Set<List<String>> metricColumns = new LinkedHashSet<>();          // (task, metric)
        Set<String> deltaTasks = new LinkedHashSet<>(), lossTasks = new LinkedHashSet<>();
        for (CandidateRecord r : records) {
            r.metrics().forEach((task, values) -> values.keySet().forEach(m -> metricColumns.add(List.of(task, m))));
            deltaTasks.addAll(r.deltaPPerTask().keySet());
            lossTasks.addAll(r.validationLosses().keySet());
        }
        List<String> header = new ArrayList<>(FIXED);
        metricColumns.forEach(c -> header.add(quote(c.get(0) + "." + c.get(1))));
        deltaTasks.forEach(t -> header.add(quote(t + ".deltaP")));
        lossTasks.forEach(t -> header.add(quote(t + ".loss")));
        header.add("error");
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (CandidateRecord r : records) {
            RepMtlCandidate c = r.candidate();
            List<String> row = new ArrayList<>(List.of(String.valueOf(r.index()), r.status().name(), number(r.score()),
                    number(c.lambdaTsr()), number(c.lambdaCsa()), number(c.tau()), String.valueOf(c.csaVariant()), String.valueOf(c.logTransform()),
                    number(c.learningRate()), quote(c.strategy()), number(r.deltaPTask()), number(r.deltaPMetric()),
                    r.validationLosses().isEmpty() ? "" : number(r.validationLoss()),
                    quote(r.selectedEpochs().stream().map(String::valueOf).reduce((a, b) -> a + " " + b).orElse("")),
                    number(r.seconds()), r.finishedAt().toString()));
            for (List<String> col : metricColumns) {
                Map<String, Double> values = r.metrics().get(col.get(0));
                row.add(values == null ? "" : number(values.get(col.get(1))));
            }
            for (String t : deltaTasks) row.add(number(r.deltaPPerTask().get(t)));
            for (String t : lossTasks) row.add(number(r.validationLosses().get(t)));
            row.add(quote(r.error()));
            sb.append(String.join(",", row)).append('\n');
        }
        return sb.toString();
    }

    private static String number(Double v) { return v == null ? "" : Double.toString(v); }

    /** RFC 4180 quoting when the text has a comma, quote or line break. */
    private static String quote(String text) {
        if (text == null) return "";
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) return text;
        return '"' + text.replace("\"", "\"\"") + '"';
    }
}
