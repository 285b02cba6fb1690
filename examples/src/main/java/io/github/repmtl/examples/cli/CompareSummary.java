package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.repmtl.examples.plots.ComparisonPlots;
import io.github.repmtl.samediff.metrics.MeanAndDeviation;
import io.github.repmtl.samediff.metrics.PairedDifference;
import io.github.repmtl.samediff.metrics.SeedStatistics;
import io.github.repmtl.samediff.metrics.SeedWins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The statistics of a finished {@code repmtl compare} ({@link SeedStatistics} per quantity: test Delta-p and every
 * test metric) and the files that report them: {@code summary.json}, {@code summary.csv}, {@code summary.txt} (the
 * printed table), {@code timings.csv} and the plots. Everything but the table's s/epoch column and
 * {@code timings.csv} depends only on the result files, so a resumed comparison writes the same
 * {@code summary.json} and {@code summary.csv} as an uninterrupted one.
 */
final class CompareSummary {
    static final String DELTA_P = "deltaP";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> methods;
    private final List<Long> seeds;
    private final Map<String, Map<Long, CompareResult>> results;
    private final String reference;
    private final int resamples;
    private final long bootstrapSeed;
    private final List<String> quantities = new ArrayList<>();
    private final Map<String, SeedStatistics> statistics = new LinkedHashMap<>();

    /**
     * @param results method label -> seed -> result, complete for every method and seed
     * @throws IllegalArgumentException when a result lacks a metric the others have (from {@link SeedStatistics})
     */
    CompareSummary(List<String> methods, List<Long> seeds, Map<String, Map<Long, CompareResult>> results, String reference, int resamples,
                   long bootstrapSeed) {
        this.methods = List.copyOf(methods);
        this.seeds = List.copyOf(seeds);
        this.results = results;
        this.reference = reference;
        this.resamples = resamples;
        this.bootstrapSeed = bootstrapSeed;
        quantities.add(DELTA_P);
        results.get(methods.get(0)).get(seeds.get(0)).test().forEach((task, metrics) -> metrics.keySet().forEach(m -> quantities.add(task + "/" + m)));
        for (String q : quantities) {
            Map<String, Map<Long, Double>> table = new LinkedHashMap<>();
            for (String method : methods) {
                Map<Long, Double> bySeed = new LinkedHashMap<>();
                for (long seed : seeds) bySeed.put(seed, value(results.get(method).get(seed), q));
                table.put(method, bySeed);
            }
            statistics.put(q, SeedStatistics.of(display(q), table));
        }
    }

    private static Double value(CompareResult r, String quantity) {
        if (quantity.equals(DELTA_P)) return r.testDeltaP();
        int slash = quantity.indexOf('/');
        Map<String, Double> task = r.test().get(quantity.substring(0, slash));
        return task == null ? null : task.get(quantity.substring(slash + 1));
    }

    static String display(String quantity) { return quantity.equals(DELTA_P) ? "Delta-p" : quantity; }

    List<String> quantities() { return quantities; }

    SeedStatistics statistics(String quantity) { return statistics.get(quantity); }

    /** The paired difference against the reference, or null for the reference itself. */
    PairedDifference difference(String method, String quantity) {
        return method.equals(reference) ? null : statistics.get(quantity).difference(method, reference, resamples, bootstrapSeed);
    }

    /** The summary as JSON: settings, seeds, how the statistics are defined, and per method every quantity. */
    ObjectNode toJson(String benchmark, ObjectNode settings, Map<String, ObjectNode> configurations) {
        ObjectNode root = JSON.createObjectNode();
        root.put("benchmark", benchmark);
        root.set("settings", settings);
        ArrayNode s = root.putArray("seeds");
        seeds.forEach(s::add);
        root.put("reference", reference);
        ObjectNode how = root.putObject("statistics");
        how.put("split", "test, at the epoch each run selected on the validation split");
        how.put("deltaP", "task-averaged Delta-p in percent against the single-task baselines (stl) of the same seed");
        how.put("sd", "sample standard deviation over seeds (divisor n - 1)");
        how.put("confidence", SeedStatistics.CONFIDENCE);
        how.put("pairedT", "mean of d_i = method_i - reference_i -+ t(n - 1, 0.975) * sd(d) / sqrt(n)");
        ObjectNode boot = how.putObject("bootstrap");
        boot.put("kind", "percentile bootstrap of the mean of d_i: seeds resampled with replacement, quantiles 0.025 and 0.975 by linear interpolation");
        boot.put("resamples", resamples);
        boot.put("seed", bootstrapSeed);
        how.put("wins", "seeds on which the method alone had the highest test Delta-p; ties: seeds on which it shared the highest");
        ArrayNode q = root.putArray("quantities");
        quantities.forEach(q::add);
        Map<String, SeedWins> wins = statistics.get(DELTA_P).wins();
        ArrayNode rows = root.putArray("methods");
        for (String method : methods) {
            ObjectNode m = rows.addObject();
            m.put("method", method);
            m.set("configuration", configurations.get(method));
            m.put("wins", wins.get(method).wins());
            m.put("ties", wins.get(method).ties());
            ObjectNode qs = m.putObject("quantities");
            for (String quantity : quantities) {
                SeedStatistics st = statistics.get(quantity);
                MeanAndDeviation md = st.summary(method);
                ObjectNode v = qs.putObject(quantity);
                ArrayNode values = v.putArray("values");
                for (double x : st.values(method)) values.add(x);
                v.put("mean", md.mean());
                v.put("sd", md.sd());
                PairedDifference d = difference(method, quantity);
                if (d == null) {
                    v.putNull("difference");
                } else {
                    ObjectNode dn = v.putObject("difference");
                    dn.put("reference", reference);
                    dn.put("mean", d.mean());
                    dn.put("sd", d.sd());
                    dn.putArray("pairedT").add(d.pairedT().low()).add(d.pairedT().high());
                    dn.putArray("bootstrap").add(d.bootstrap().low()).add(d.bootstrap().high());
                }
            }
        }
        return root;
    }

    /** One row per method and quantity (doubles in full precision); wins and ties on the Delta-p rows. */
    String toCsv() {
        StringBuilder sb = new StringBuilder("method,quantity,seeds,mean,sd,reference,difference,difference_sd,t_low,t_high,bootstrap_low,bootstrap_high,wins,ties\n");
        Map<String, SeedWins> wins = statistics.get(DELTA_P).wins();
        for (String method : methods) {
            for (String quantity : quantities) {
                MeanAndDeviation md = statistics.get(quantity).summary(method);
                PairedDifference d = difference(method, quantity);
                List<String> cells = new ArrayList<>(List.of(csv(method), quantity, Integer.toString(md.seeds()), Double.toString(md.mean()), Double.toString(md.sd()),
                        csv(reference)));
                if (d == null) cells.addAll(List.of("", "", "", "", "", ""));
                else cells.addAll(List.of(Double.toString(d.mean()), Double.toString(d.sd()), Double.toString(d.pairedT().low()),
                        Double.toString(d.pairedT().high()), Double.toString(d.bootstrap().low()), Double.toString(d.bootstrap().high())));
                boolean dp = quantity.equals(DELTA_P);
                cells.add(dp ? Integer.toString(wins.get(method).wins()) : "");
                cells.add(dp ? Integer.toString(wins.get(method).ties()) : "");
                sb.append(String.join(",", cells)).append('\n');
            }
        }
        return sb.toString();
    }

    private static String csv(String text) {
        return text.contains(",") || text.contains("\"") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }

    /** Wall time of every (method, seed). */
    String timingsCsv() {
        StringBuilder sb = new StringBuilder("method,seed,training_seconds,seconds_per_epoch\n");
        for (String method : methods)
            for (long seed : seeds) {
                CompareResult r = results.get(method).get(seed);
                sb.append(csv(method)).append(',').append(seed).append(',').append(String.format(Locale.ROOT, "%.3f,%.3f", r.trainingSeconds(), r.secondsPerEpoch()))
                        .append('\n');
            }
        return sb.toString();
    }

    /** The printed table: per method mean +- sd of every test metric and of Delta-p, the paired difference of Delta-p, wins, s/epoch. */
    String table(String benchmark) {
        List<String> metricQuantities = quantities.subList(1, quantities.size());
        int methodWidth = Math.max(6, methods.stream().mapToInt(String::length).max().orElse(6));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s, %d seeds %s; test split, mean +- sd over seeds; Delta-p (%%) against the single-task "
                + "baselines of each seed; difference of Delta-p against %s with 95 %% paired-t and bootstrap (%d resamples) intervals%n",
                benchmark, seeds.size(), seeds, reference, resamples));
        sb.append(String.format(Locale.ROOT, "%-" + methodWidth + "s", "method"));
        List<Integer> widths = new ArrayList<>();
        for (String q : metricQuantities) {
            int w = Math.max(15, q.length());
            widths.add(w);
            sb.append(String.format(Locale.ROOT, "  %" + w + "s", q));
        }
        String diffHeader = "vs " + reference;
        sb.append(String.format(Locale.ROOT, "  %15s  %9s  %18s  %18s  %4s  %4s  %7s%n", "Delta-p", diffHeader.length() > 9 ? "diff" : diffHeader,
                "paired t 95%", "bootstrap 95%", "wins", "ties", "s/epoch"));
        Map<String, SeedWins> wins = statistics.get(DELTA_P).wins();
        for (String method : methods) {
            sb.append(String.format(Locale.ROOT, "%-" + methodWidth + "s", method));
            for (int i = 0; i < metricQuantities.size(); i++) {
                MeanAndDeviation md = statistics.get(metricQuantities.get(i)).summary(method);
                sb.append(String.format(Locale.ROOT, "  %" + widths.get(i) + "s", String.format(Locale.ROOT, "%.2f +- %.2f", md.mean(), md.sd())));
            }
            MeanAndDeviation dp = statistics.get(DELTA_P).summary(method);
            sb.append(String.format(Locale.ROOT, "  %15s", String.format(Locale.ROOT, "%+.2f +- %.2f", dp.mean(), dp.sd())));
            PairedDifference d = difference(method, DELTA_P);
            if (d == null) {
                sb.append(String.format(Locale.ROOT, "  %9s  %18s  %18s", "-", "(reference)", "-"));
            } else {
                sb.append(String.format(Locale.ROOT, "  %+9.2f  %18s  %18s", d.mean(),
                        String.format(Locale.ROOT, "[%+.2f, %+.2f]", d.pairedT().low(), d.pairedT().high()),
                        String.format(Locale.ROOT, "[%+.2f, %+.2f]", d.bootstrap().low(), d.bootstrap().high())));
            }
            double perEpoch = seeds.stream().mapToDouble(s -> results.get(method).get(s).secondsPerEpoch()).average().orElse(Double.NaN);
            sb.append(String.format(Locale.ROOT, "  %4d  %4d  %7.1f%n", wins.get(method).wins(), wins.get(method).ties(), perEpoch));
        }
        return sb.toString();
    }

    /** Writes summary.json, summary.csv, summary.txt, timings.csv and the plots into {@code out}; returns the plots written. */
    List<Path> write(Path out, String benchmark, ObjectNode settings, Map<String, ObjectNode> configurations) {
        CompareResult.writeAtomically(out.resolve("summary.json"), CompareResult.json(toJson(benchmark, settings, configurations)));
        CompareResult.writeAtomically(out.resolve("summary.csv"), toCsv());
        CompareResult.writeAtomically(out.resolve("summary.txt"), table(benchmark));
        CompareResult.writeAtomically(out.resolve("timings.csv"), timingsCsv());
        Map<String, double[]> deltaP = new LinkedHashMap<>(), difference = new LinkedHashMap<>();
        Map<String, Map<String, double[]>> metrics = new LinkedHashMap<>();
        for (String method : methods) {
            MeanAndDeviation md = statistics.get(DELTA_P).summary(method);
            deltaP.put(method, new double[]{md.mean(), md.sd()});
            PairedDifference d = difference(method, DELTA_P);
            if (d != null) difference.put(method, new double[]{d.mean(), d.pairedT().high() - d.mean()});
        }
        for (String q : quantities.subList(1, quantities.size())) {
            Map<String, double[]> perMethod = new LinkedHashMap<>();
            for (String method : methods) {
                MeanAndDeviation md = statistics.get(q).summary(method);
                perMethod.put(method, new double[]{md.mean(), md.sd()});
            }
            metrics.put(q, perMethod);
        }
        return ComparisonPlots.write(deltaP, difference, reference, metrics, seeds.size(), out.resolve("plots"));
    }
}
