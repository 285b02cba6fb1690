package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.util.QuietConsole;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RegularizerPlacement#HOST}: TSR and CSA evaluated on arrays equal their graph forms (values and SameDiff's
 * gradients) and float64 central differences; a graph with the host regularizer gives the same objective,
 * regularizer values and parameter gradients as the graph form, across batch sizes.
 */
class HostRegularizerTest {
    /** [B, T, C, N]: vectors, N < C, N > C, N = C, a batch of one, a batch of two. */
    private static final long[][] SHAPES = {{5, 2, 6, 1}, {4, 3, 5, 1}, {3, 2, 6, 4}, {3, 3, 3, 7}, {4, 2, 3, 3}, {1, 2, 4, 3}, {2, 3, 4, 1}};

    @Test
    void arrayFormsEqualTheGraphForms() {
        for (long[] shape : SHAPES) {
            INDArray s = saliencies(shape, 11);
            for (CsaVariant variant : CsaVariant.values()) {
                double tau = 0.7;
                ValueAndGradient tsr = TaskSaliencyRegulation.evaluate(s);
                ValueAndGradient csa = CrossTaskSaliencyAlignment.evaluate(s, tau, variant);
                Map<String, INDArray> graph = graphForms(s, tau, variant);
                String what = java.util.Arrays.toString(shape) + " " + variant;
                assertClose(graph.get("tsr").getDouble(0), tsr.value(), 1e-12, "tsr " + what);
                assertClose(graph.get("csa").getDouble(0), csa.value(), 1e-12, "csa " + what);
                assertArrayClose(graph.get("tsr_grad"), tsr.gradient(), 1e-10, "dTSR/dS " + what);
                assertArrayClose(graph.get("csa_grad"), csa.gradient(), 1e-10, "dCSA/dS " + what);
            }
        }
    }

    @Test
    void gradientsMatchCentralDifferencesInFloat64() {
        Random r = new Random(5);
        for (long[] shape : new long[][]{{4, 3, 5, 1}, {3, 2, 6, 4}, {3, 3, 3, 7}}) {
            INDArray s = saliencies(shape, 3);
            for (CsaVariant variant : CsaVariant.values()) {
                ValueAndGradient csa = CrossTaskSaliencyAlignment.evaluate(s, 0.5, variant);
                ValueAndGradient tsr = TaskSaliencyRegulation.evaluate(s);
                for (int k = 0; k < 12; k++) {
                    long i = r.nextInt((int) s.length());
                    double h = 1e-6 * Math.max(1e-3, Math.abs(s.getDouble(i)));
                    double x = s.getDouble(i);
                    s.putScalar(i, x + h);
                    double csaPlus = CrossTaskSaliencyAlignment.evaluate(s, 0.5, variant).value(), tsrPlus = TaskSaliencyRegulation.evaluate(s).value();
                    s.putScalar(i, x - h);
                    double csaMinus = CrossTaskSaliencyAlignment.evaluate(s, 0.5, variant).value(), tsrMinus = TaskSaliencyRegulation.evaluate(s).value();
                    s.putScalar(i, x);
                    String what = java.util.Arrays.toString(shape) + " " + variant + " entry " + i;
                    assertClose((csaPlus - csaMinus) / (2 * h), csa.gradient().getDouble(i), 1e-6, "dCSA " + what, csa.gradient());
                    assertClose((tsrPlus - tsrMinus) / (2 * h), tsr.gradient().getDouble(i), 1e-6, "dTSR " + what, tsr.gradient());
                }
            }
        }
    }

    @Test
    void zeroSaliencyStaysFiniteInFloat32() {
        for (long[] shape : new long[][]{{4, 2, 5, 1}, {3, 2, 3, 4}}) {
            INDArray s = Nd4j.zeros(DataType.FLOAT, shape);
            s.get(NDArrayIndex.point(0)).assign(1e-4);                     // one sample with a saliency, the rest exactly zero
            for (CsaVariant variant : CsaVariant.values()) {
                ValueAndGradient csa = CrossTaskSaliencyAlignment.evaluate(s, 0.5, variant);
                ValueAndGradient tsr = TaskSaliencyRegulation.evaluate(s);
                assertTrue(Double.isFinite(csa.value()) && Double.isFinite(tsr.value()), variant + ": " + csa.value() + " " + tsr.value());
                assertTrue(finite(csa.gradient()) && finite(tsr.gradient()), variant + " gradients finite");
                assertEquals(DataType.FLOAT, csa.gradient().dataType());
            }
        }
    }

    @Test
    void hostPlacementGivesTheGraphPlacementsObjectiveAndGradients() {
        for (CsaVariant variant : CsaVariant.values()) for (long copyLimit : new long[]{HostRegularizer.JAVA_COPY_LIMIT, 0}) {
            SameDiff graph = RepMtlTest.denseNet(DataType.DOUBLE, 3), host = RepMtlTest.denseNet(DataType.DOUBLE, 3);
            RepMtl config = RepMtl.builder().sharedActivation("Z").task("seg", "loss_seg").task("depth", "loss_depth")
                    .lambdaTsr(0.7).lambdaCsa(1.3).tau(0.4).csaVariant(variant).build();
            config.attachTo(graph, RegularizerPlacement.GRAPH);
            RepMtlGraph attached = config.attachTo(host, RegularizerPlacement.HOST);
            assertEquals(RegularizerPlacement.HOST, attached.placement());
            if (copyLimit == 0) host.setListeners(new HostRegularizer(config, 0));   // the path for large saliencies
            for (int batch : new int[]{3, 2, 4}) {                   // the regularizer gradient's shape follows the batch
                Map<String, INDArray> feed = RepMtlTest.denseFeed(DataType.DOUBLE, batch);
                String[] outputs = {RepMtlGraph.OBJECTIVE, RepMtlGraph.TSR, RepMtlGraph.CSA, RepMtlGraph.REGULARIZER, RepMtlGraph.saliency("seg")};
                Map<String, INDArray> expected = graph.output(feed, outputs), actual = host.output(feed, outputs);
                String what = variant + " copy limit " + copyLimit + " batch " + batch;
                for (String o : outputs) assertArrayClose(expected.get(o), actual.get(o), 1e-12, what + ": " + o);
                String[] params = graph.variables().stream().filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE)
                        .map(SDVariable::name).toArray(String[]::new);
                Map<String, INDArray> g = QuietConsole.call(() -> graph.calculateGradients(feed, params));
                Map<String, INDArray> h = QuietConsole.call(() -> host.calculateGradients(feed, params));
                for (String p : params) assertArrayClose(g.get(p), h.get(p), 1e-10, what + ": dJ/d" + p);
            }
        }
    }

    @Test
    void withoutItsListenerTheHostRegularizerIsNaN() {
        SameDiff sd = RepMtlTest.denseNet(DataType.DOUBLE, 2);
        RepMtl.builder().sharedActivation("Z").task("seg", "loss_seg").task("depth", "loss_depth").build().attachTo(sd, RegularizerPlacement.HOST);
        sd.setListeners();                                                // replaces the HostRegularizer
        double j = sd.output(RepMtlTest.denseFeed(DataType.DOUBLE, 2), RepMtlGraph.OBJECTIVE).get(RepMtlGraph.OBJECTIVE).getDouble(0);
        assertTrue(Double.isNaN(j), "objective without the listener: " + j);
    }

    /** Values and SameDiff gradients of the graph forms, S a float64 variable. */
    private static Map<String, INDArray> graphForms(INDArray s, double tau, CsaVariant variant) {
        Map<String, INDArray> out = new HashMap<>();
        for (String which : List.of("tsr", "csa")) {
            SameDiff sd = SameDiff.create();
            SDVariable v = sd.var("S", s.dup());
            SDVariable r = which.equals("tsr") ? TaskSaliencyRegulation.build(sd, which, v, (int) s.size(1))
                    : CrossTaskSaliencyAlignment.build(sd, which, v, (int) s.size(1), s.size(2), s.size(3), tau, variant);
            sd.setLossVariables(r.name());
            out.put(which, sd.output(new HashMap<>(), which).get(which));
            out.put(which + "_grad", QuietConsole.call(() -> sd.calculateGradients(new HashMap<>(), "S")).get("S"));
        }
        return out;
    }

    /** Saliency-like float64 values: small, with mixed signs and scales per task. */
    private static INDArray saliencies(long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray s = Nd4j.randn(DataType.DOUBLE, shape).muli(1e-2);
        for (int t = 0; t < shape[1]; t++) s.get(NDArrayIndex.all(), NDArrayIndex.point(t)).muli(1 + t);
        return s;
    }

    private static boolean finite(INDArray a) {
        for (double v : a.dup().data().asDouble()) if (!Double.isFinite(v)) return false;
        return true;
    }

    private static void assertClose(double expected, double actual, double tol, String what) {
        assertClose(expected, actual, tol, what, null);
    }

    private static void assertClose(double expected, double actual, double tol, String what, INDArray scaleOf) {
        double scale = scaleOf == null ? Math.max(Math.abs(expected), 1e-300) : scaleOf.amaxNumber().doubleValue();
        assertTrue(Math.abs(expected - actual) <= tol * scale, what + ": expected " + expected + ", got " + actual);
    }

    private static void assertArrayClose(INDArray expected, INDArray actual, double tol, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + " shape");
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-300);
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tol * scale, what + ": max difference " + diff + " (scale " + scale + ")");
    }
}
