package io.github.repmtl.samediff.verify;

import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import io.github.repmtl.samediff.util.QuietConsole;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks this implementation against a golden fixture: builds the fixture's network in float64, attaches
 * Rep-MTL for every configuration of its {@code results}, once per {@link RegularizerPlacement}, and compares task losses, objective terms,
 * saliencies, TSR, CSA, the objective and every parameter gradient. The error of a quantity is
 * {@code max|actual - expected| / max|expected|}; values must be below {@link #VALUE_TOLERANCE}, gradients
 * below {@link #GRADIENT_TOLERANCE}.
 */
public final class GoldenVerifier {
    public static final double VALUE_TOLERANCE = 1e-8;
    public static final double GRADIENT_TOLERANCE = 1e-6;

    /** The error of one compared quantity. */
    public record Check(String quantity, double error, double tolerance) {
        public boolean passed() { return error < tolerance; }
    }

    /** All checks of one configuration with the regularizer computed where {@code placement} says. */
    public record ConfigReport(GoldenFixture.Config config, RegularizerPlacement placement, List<Check> checks) {}

    /** The verdict over a whole fixture; {@link #worst()} is the check closest to (or furthest past) its tolerance. */
    public record Report(Path file, List<ConfigReport> configs) {
        public boolean passed() { return configs.stream().flatMap(c -> c.checks().stream()).allMatch(Check::passed); }

        public Check worst() {
            return configs.stream().flatMap(c -> c.checks().stream())
                    .max((a, b) -> Double.compare(a.error() / a.tolerance(), b.error() / b.tolerance())).orElseThrow();
        }

        public String verdictLine() {
            Check w = worst();
            return "golden " + file + ": " + (passed() ? "PASS" : String.format(Locale.ROOT, "FAIL (%s %.3e)", w.quantity(), w.error()));
        }
    }

    private GoldenVerifier() {}

    public static Report verify(Path file) {
        Nd4j.setDefaultDataTypes(org.nd4j.linalg.api.buffer.DataType.DOUBLE, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        GoldenFixture fx = GoldenFixture.load(file);
        List<ConfigReport> reports = new ArrayList<>();
        for (GoldenFixture.Expected expected : fx.results())
            for (RegularizerPlacement placement : RegularizerPlacement.values()) reports.add(verifyConfig(fx, expected, placement));
        return new Report(file, reports);
    }

    /** Verifies and prints one line per configuration and placement, then the verdict line; returns whether all passed. */
    public static boolean run(Path file, PrintStream out) {
        Report report = verify(file);
        int i = 0;
        for (ConfigReport c : report.configs()) {
            if (c.placement() == RegularizerPlacement.values()[0]) i++;
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "config %d %s %s:", i, c.placement().name().toLowerCase(Locale.ROOT), c.config()));
            for (Check k : c.checks()) sb.append(String.format(Locale.ROOT, " %s=%.2e", k.quantity(), k.error()));
            out.println(sb);
        }
        out.println(report.verdictLine());
        return report.passed();
    }

    private static ConfigReport verifyConfig(GoldenFixture fx, GoldenFixture.Expected e, RegularizerPlacement placement) {
        FixtureGraph g = new FixtureGraph(fx);
        SameDiff sd = g.sameDiff();
        GoldenFixture.Config c = e.config();
        RepMtl.Builder b = RepMtl.builder().lambdaTsr(c.lambdaTsr()).lambdaCsa(c.lambdaCsa()).tau(c.tau())
                .csaVariant(c.csaVariant()).logTransform(c.logTransform());
        g.lossOfTask().forEach((task, loss) -> b.task(task, loss, g.sharedOfTask().get(task)));
        b.build().attachTo(sd, placement);
        List<String> tasks = g.taskNames();
        if (e.saliency().size() != tasks.size() || e.taskLosses().length != tasks.size())
            throw new IllegalArgumentException(fx.file() + ": expected values for " + e.saliency().size() + " tasks, the graph has " + tasks);

        List<String> outputs = new ArrayList<>(List.of(RepMtlGraph.TSR, RepMtlGraph.CSA, RepMtlGraph.OBJECTIVE));
        for (String t : tasks) {
            outputs.add(g.lossOfTask().get(t));
            outputs.add(RepMtlGraph.term(t));
            outputs.add(RepMtlGraph.saliency(t));
        }
        Map<String, INDArray> values = sd.output(g.feed(), outputs.toArray(new String[0]));
        Map<String, INDArray> grads = QuietConsole.call(() -> sd.calculateGradients(g.feed(), fx.params().keySet().toArray(new String[0])));

        List<Check> checks = new ArrayList<>();
        double[] losses = new double[tasks.size()], terms = new double[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            losses[t] = values.get(g.lossOfTask().get(tasks.get(t))).getDouble(0);
            terms[t] = values.get(RepMtlGraph.term(tasks.get(t))).getDouble(0);
        }
        checks.add(new Check("taskLosses", error(Nd4j.createFromArray(losses), Nd4j.createFromArray(e.taskLosses())), VALUE_TOLERANCE));
        checks.add(new Check("objectiveTerms", error(Nd4j.createFromArray(terms), Nd4j.createFromArray(e.objectiveTerms())), VALUE_TOLERANCE));
        for (int t = 0; t < tasks.size(); t++) {
            INDArray expected = e.saliency().get(t);
            INDArray actual = values.get(RepMtlGraph.saliency(tasks.get(t)));
            if (actual.size(0) > expected.size(0)) actual = actual.get(NDArrayIndex.interval(0, expected.size(0)));
            checks.add(new Check("saliency[" + tasks.get(t) + "]", error(actual, expected), VALUE_TOLERANCE));
        }
        checks.add(new Check("tsr", scalarError(values.get(RepMtlGraph.TSR).getDouble(0), e.tsr()), VALUE_TOLERANCE));
        checks.add(new Check("csa", scalarError(values.get(RepMtlGraph.CSA).getDouble(0), e.csa()), VALUE_TOLERANCE));
        checks.add(new Check("objective", scalarError(values.get(RepMtlGraph.OBJECTIVE).getDouble(0), e.objective()), VALUE_TOLERANCE));
        Map<String, INDArray> expectedGrads = new LinkedHashMap<>(e.gradients());
        for (Map.Entry<String, INDArray> eg : expectedGrads.entrySet()) {
            INDArray actual = grads.get(eg.getKey());
            if (actual == null) throw new IllegalStateException("no gradient computed for parameter '" + eg.getKey() + "'");
            checks.add(new Check("grad[" + eg.getKey() + "]", error(g.toFixtureLayout(eg.getKey(), actual), eg.getValue()), GRADIENT_TOLERANCE));
        }
        return new ConfigReport(c, placement, checks);
    }

    private static double error(INDArray actual, INDArray expected) {
        if (!java.util.Arrays.equals(actual.shape(), expected.shape()))
            return Double.POSITIVE_INFINITY;
        double scale = expected.amaxNumber().doubleValue();
        double diff = actual.castTo(expected.dataType()).sub(expected).amaxNumber().doubleValue();
        return scale == 0 ? diff : diff / scale;
    }

    private static double scalarError(double actual, double expected) {
        return expected == 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
    }
}
