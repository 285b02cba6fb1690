package io.github.repmtl.samediff.verify;

import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import io.github.repmtl.samediff.util.QuietConsole;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks this implementation against a golden fixture: builds the fixture's network in float64, attaches
 * Rep-MTL for every configuration of its {@code results}, once per {@link RegularizerPlacement}, and compares task losses, objective terms,
 * saliencies, TSR, CSA, the objective and every parameter gradient. The error of a quantity is the relative
 * error with a floor of {@code shared/golden/README.md}: {@code max|actual - expected| / max(max|expected|, floor)}.
 * For values the floor is {@link #VALUE_FLOOR} (none in effect) and the error must be below
 * {@link #VALUE_TOLERANCE}. For gradients the floor is {@link #GRADIENT_FLOOR_FACTOR} times the largest
 * |reference| entry among all gradients of the configuration ({@link #gradientFloor}) and the error must be
 * below {@link #GRADIENT_TOLERANCE}: a gradient that is exactly zero in exact arithmetic (the bias of a
 * convolution feeding a training-mode batch norm), whose reference entries are rounding noise of order
 * 1e-17, is compared at the scale of the whole configuration instead of against its own noise.
 */
public final class GoldenVerifier {
    public static final double VALUE_TOLERANCE = 1e-8;
    public static final double GRADIENT_TOLERANCE = 1e-6;
    /** Floor of the relative error of every quantity but the gradients: 1e-300, i.e. no floor. */
    public static final double VALUE_FLOOR = 1e-300;
    /** The gradient floor of a configuration is this times its largest |reference gradient| entry. */
    public static final double GRADIENT_FLOOR_FACTOR = 1e-8;

    /** The error of one compared quantity, relative to {@code max(max|expected|, floor)}. */
    public record Check(String quantity, double error, double tolerance, double floor) {
        public boolean passed() { return error < tolerance; }
    }

    /**
     * All checks of one configuration with the regularizer computed where {@code placement} says;
     * {@code gradientFloor} is the floor its gradient checks used.
     */
    public record ConfigReport(GoldenFixture.Config config, RegularizerPlacement placement, double gradientFloor, List<Check> checks) {}

    /** The verdict over a whole fixture; {@link #worst()} is the check closest to (or furthest past) its tolerance. */
    public record Report(Path file, List<ConfigReport> configs) {
        public boolean passed() { return configs.stream().flatMap(c -> c.checks().stream()).allMatch(Check::passed); }

        public Check worst() {
            return configs.stream().flatMap(c -> c.checks().stream())
                    .max((a, b) -> Double.compare(a.error() / a.tolerance(), b.error() / b.tolerance())).orElseThrow();
        }

        public String verdictLine() {
            Check w = worst();
            if (passed()) return "golden " + file + ": PASS";
            String floor = w.floor() > VALUE_FLOOR ? String.format(Locale.ROOT, ", floor %.3e", w.floor()) : "";
            return "golden " + file + ": " + String.format(Locale.ROOT, "FAIL (%s %.3e%s)", w.quantity(), w.error(), floor);
        }
    }

    /** Test seam: sees (and may replace) each computed gradient, in fixture layout, before it is compared. */
    @FunctionalInterface
    interface GradientHook {
        GradientHook NONE = (config, placement, param, actual) -> actual;

        INDArray apply(GoldenFixture.Config config, RegularizerPlacement placement, String param, INDArray actual);
    }

    private GoldenVerifier() {}

    public static Report verify(Path file) {
        return verify(file, GradientHook.NONE);
    }

    static Report verify(Path file, GradientHook hook) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        GoldenFixture fx = GoldenFixture.load(file);
        List<ConfigReport> reports = new ArrayList<>();
        for (GoldenFixture.Expected expected : fx.results())
            for (RegularizerPlacement placement : RegularizerPlacement.values()) reports.add(verifyConfig(fx, expected, placement, hook));
        return new Report(file, reports);
    }

    /**
     * Verifies and prints one line per configuration and placement (the gradient floor it used, then every
     * error), then the verdict line; returns whether all passed.
     */
    public static boolean run(Path file, PrintStream out) {
        Report report = verify(file);
        int i = 0;
        for (ConfigReport c : report.configs()) {
            if (c.placement() == RegularizerPlacement.values()[0]) i++;
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "config %d %s %s: gradientFloor=%.3e", i,
                    c.placement().name().toLowerCase(Locale.ROOT), c.config(), c.gradientFloor()));
            for (Check k : c.checks()) sb.append(String.format(Locale.ROOT, " %s=%.2e", k.quantity(), k.error()));
            out.println(sb);
        }
        out.println(report.verdictLine());
        return report.passed();
    }

    private static ConfigReport verifyConfig(GoldenFixture fx, GoldenFixture.Expected e, RegularizerPlacement placement, GradientHook hook) {
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
        checks.add(valueCheck("taskLosses", Nd4j.createFromArray(losses), Nd4j.createFromArray(e.taskLosses())));
        checks.add(valueCheck("objectiveTerms", Nd4j.createFromArray(terms), Nd4j.createFromArray(e.objectiveTerms())));
        for (int t = 0; t < tasks.size(); t++) {
            INDArray expected = e.saliency().get(t);
            INDArray actual = values.get(RepMtlGraph.saliency(tasks.get(t)));
            if (actual.size(0) > expected.size(0)) actual = actual.get(NDArrayIndex.interval(0, expected.size(0)));
            checks.add(valueCheck("saliency[" + tasks.get(t) + "]", actual, expected));
        }
        checks.add(scalarCheck("tsr", values.get(RepMtlGraph.TSR).getDouble(0), e.tsr()));
        checks.add(scalarCheck("csa", values.get(RepMtlGraph.CSA).getDouble(0), e.csa()));
        checks.add(scalarCheck("objective", values.get(RepMtlGraph.OBJECTIVE).getDouble(0), e.objective()));
        Map<String, INDArray> expectedGrads = new LinkedHashMap<>(e.gradients());
        double floor = gradientFloor(expectedGrads.values());
        for (Map.Entry<String, INDArray> eg : expectedGrads.entrySet()) {
            INDArray actual = grads.get(eg.getKey());
            if (actual == null) throw new IllegalStateException("no gradient computed for parameter '" + eg.getKey() + "'");
            actual = hook.apply(c, placement, eg.getKey(), g.toFixtureLayout(eg.getKey(), actual));
            checks.add(new Check("grad[" + eg.getKey() + "]", relativeError(actual, eg.getValue(), floor), GRADIENT_TOLERANCE, floor));
        }
        return new ConfigReport(c, placement, floor, checks);
    }

    /**
     * The gradient floor of one configuration: {@link #GRADIENT_FLOOR_FACTOR} times the largest |entry| among all
     * its reference gradients (0 when there are none or all are 0; NaN if a reference entry is NaN).
     */
    public static double gradientFloor(Collection<INDArray> referenceGradients) {
        double max = 0;
        for (INDArray r : referenceGradients)
            for (double v : host(r)) {
                if (Double.isNaN(v)) return Double.NaN;
                max = Math.max(max, Math.abs(v));
            }
        return GRADIENT_FLOOR_FACTOR * max;
    }

    /**
     * Relative error of a tensor, {@code max|actual - expected| / max(max|expected|, floor)}
     * ({@code shared/golden/README.md}); infinite when the shapes differ, NaN when any entry of either is NaN.
     */
    public static double relativeError(INDArray actual, INDArray expected, double floor) {
        if (!Arrays.equals(actual.shape(), expected.shape())) return Double.POSITIVE_INFINITY;
        double[] a = host(actual), b = host(expected);
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            if (Double.isNaN(d)) return Double.NaN;
            diff = Math.max(diff, d);
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / Math.max(scale, floor);
    }

    private static Check valueCheck(String quantity, INDArray actual, INDArray expected) {
        return new Check(quantity, relativeError(actual, expected, VALUE_FLOOR), VALUE_TOLERANCE, VALUE_FLOOR);
    }

    private static Check scalarCheck(String quantity, double actual, double expected) {
        return valueCheck(quantity, Nd4j.createFromArray(new double[]{actual}), Nd4j.createFromArray(new double[]{expected}));
    }

    /** Row-major float64 copy of the entries. */
    private static double[] host(INDArray x) {
        return x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
