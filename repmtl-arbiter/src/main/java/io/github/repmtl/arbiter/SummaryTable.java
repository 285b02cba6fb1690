package io.github.repmtl.arbiter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Formats the best candidates of a search as a fixed-width text table, best first. */
final class SummaryTable {
    private static final List<String> HEADER = List.of("rank", "index", "score", "lambdaTsr", "lambdaCsa", "tau", "csaVariant",
            "logTransform", "learningRate", "strategy", "deltaPTask", "valLoss", "seconds");

    private SummaryTable() {}

    /**
     * @param ranked completed records, best first
     * @param total  all records (completed and failed)
     * @param topK   rows to show
     */
    static String render(List<CandidateRecord> ranked, List<CandidateRecord> total, SearchObjective objective, int topK) {
        long failed = total.stream().filter(r -> !r.isCompleted()).count();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Best %d of %d candidates by %s (%s is better): %d completed, %d failed%n",
                Math.min(topK, ranked.size()), total.size(), objective, objective.minimize() ? "lower" : "higher", ranked.size(), failed));
        if (ranked.isEmpty()) return sb.append("(no completed candidate)").append(System.lineSeparator()).toString();
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (int i = 0; i < Math.min(topK, ranked.size()); i++) {
            CandidateRecord r = ranked.get(i);
            RepMtlCandidate c = r.candidate();
            rows.add(List.of(String.valueOf(i + 1), String.valueOf(r.index()), fixed(r.score()), Double.toString(c.lambdaTsr()),
                    Double.toString(c.lambdaCsa()), Double.toString(c.tau()), c.csaVariant().name(), String.valueOf(c.logTransform()),
                    Double.toString(c.learningRate()), c.strategy(), fixed(r.deltaPTask()), fixed(r.validationLoss()),
                    String.format(Locale.ROOT, "%.1f", r.seconds())));
        }
        int[] width = new int[HEADER.size()];
        for (List<String> row : rows) for (int j = 0; j < row.size(); j++) width[j] = Math.max(width[j], row.get(j).length());
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int j = 0; j < row.size(); j++) {
                if (j > 0) line.append("  ");
                line.append(String.format(Locale.ROOT, "%-" + width[j] + "s", row.get(j)));
            }
            sb.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static String fixed(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
