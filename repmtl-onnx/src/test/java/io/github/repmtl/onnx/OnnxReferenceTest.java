package io.github.repmtl.onnx;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import io.github.repmtl.samediff.util.QuietConsole;
import io.github.repmtl.samediff.verify.GoldenFixture;
import io.github.repmtl.samediff.verify.GoldenVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models exported from PyTorch to ONNX, imported, with Rep-MTL attached: every quantity of the spec (task losses,
 * saliencies, TSR, CSA, J, every dJ/dtheta) against PyTorch's float64 double backprop, in both regularizer
 * placements; float64 to the golden tolerances (values 1e-8, gradients 1e-6 with the README's floor), float32 at
 * float32 noise.
 */
class OnnxReferenceTest {
    static List<OnnxFixtures> withReferences() {
        return OnnxFixtures.all().stream().filter(OnnxFixtures::hasReferences).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withReferences")
    void float64MatchesPyTorchDoubleBackprop(OnnxFixtures fx) {
        List<String> report = compare(fx, DataType.DOUBLE);
        double worstValue = 0, worstGradient = 0;
        for (String line : report) {
            String[] p = line.split(" ");
            double e = Double.parseDouble(p[p.length - 1]);
            if (line.contains("grad[")) worstGradient = Math.max(worstGradient, e);
            else worstValue = Math.max(worstValue, e);
        }
        System.out.printf(Locale.ROOT, "%s float64: worst relative error of values %.2e, of gradients %.2e%n", fx.name(), worstValue, worstGradient);
        assertTrue(worstValue < GoldenVerifier.VALUE_TOLERANCE, fx.name() + " values:\n" + String.join("\n", report));
        assertTrue(worstGradient < GoldenVerifier.GRADIENT_TOLERANCE, fx.name() + " gradients:\n" + String.join("\n", report));
    }

    @Test
    void float32MatchesAtFloat32Noise() {
        for (String name : new String[]{"basic-opset13-fold.json", "rich-opset13.json"}) {
            OnnxFixtures fx = OnnxFixtures.load(OnnxFixtures.DIR.resolve(name));
            List<String> report = compare(fx, DataType.FLOAT);
            System.out.printf(Locale.ROOT, "%s float32: worst relative error %.2e%n", name, report.stream().mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElseThrow());
            for (String line : report) {
                String[] p = line.split(" ");
                double e = Double.parseDouble(p[p.length - 1]);
                assertTrue(e < (line.contains("grad[") ? 1e-3 : 1e-4), name + ": " + line + "\n" + String.join("\n", report));
            }
        }
    }

    @Test
    void theForwardCheckAcceptsTheExportedOutputsOfEveryFixture() {
        for (OnnxFixtures fx : OnnxFixtures.all()) {
            // the eval-fused exports hold float32 roundings of the fused float64 weights: float32 noise against PyTorch's float64 outputs
            double tolerance = fx.name().contains("evalfused") ? 1e-6 : 1e-9;
            MultiTaskModel m = fx.importer(DataType.DOUBLE).forwardCheck(fx.forwardCheck().tolerance(tolerance)).build();
            assertFalse(m.taskNames().isEmpty(), fx.name());
        }
    }

    /** One line per checked quantity, {@code CONFIG PLACEMENT QUANTITY ERROR}. */
    private static List<String> compare(OnnxFixtures fx, DataType dt) {
        Nd4j.setDefaultDataTypes(dt, dt);
        List<String> out = new ArrayList<>();
        int ci = 0;
        for (GoldenFixture.Expected e : fx.golden().results()) {
            ci++;
            for (RegularizerPlacement placement : RegularizerPlacement.values()) {
                MultiTaskModel m = fx.importer(dt).build();
                GoldenFixture.Config c = e.config();
                RepMtl.builder(m).lambdaTsr(c.lambdaTsr()).lambdaCsa(c.lambdaCsa()).tau(c.tau()).csaVariant(c.csaVariant())
                        .logTransform(c.logTransform()).build().attachTo(m.sameDiff(), placement);
                Map<String, INDArray> feed = fx.feed(m, dt);
                List<String> names = new ArrayList<>(List.of(RepMtlGraph.TSR, RepMtlGraph.CSA, RepMtlGraph.OBJECTIVE));
                List<TaskSpec> tasks = fx.tasks();
                for (TaskSpec t : tasks) {
                    names.add(m.task(t.name()).loss());
                    names.add(RepMtlGraph.term(t.name()));
                    names.add(RepMtlGraph.saliency(t.name()));
                }
                Map<String, INDArray> values = m.sameDiff().output(feed, names.toArray(new String[0]));
                Map<String, INDArray> grads = QuietConsole.call(() -> m.sameDiff().calculateGradients(feed, e.gradients().keySet().toArray(new String[0])));
                String where = "config" + ci + " " + placement.name().toLowerCase(Locale.ROOT) + " ";
                for (int t = 0; t < tasks.size(); t++) {
                    String task = tasks.get(t).name();
                    out.add(where + "loss[" + task + "] " + rel(values.get(m.task(task).loss()), e.taskLosses()[t]));
                    out.add(where + "term[" + task + "] " + rel(values.get(RepMtlGraph.term(task)), e.objectiveTerms()[t]));
                    out.add(where + "saliency[" + task + "] " + GoldenVerifier.relativeError(values.get(RepMtlGraph.saliency(task)).castTo(DataType.DOUBLE), e.saliency().get(t), GoldenVerifier.VALUE_FLOOR));
                }
                out.add(where + "tsr " + rel(values.get(RepMtlGraph.TSR), e.tsr()));
                out.add(where + "csa " + rel(values.get(RepMtlGraph.CSA), e.csa()));
                out.add(where + "objective " + rel(values.get(RepMtlGraph.OBJECTIVE), e.objective()));
                // README's floor (1e-8 x the largest |reference gradient|) is for float64; float32 noise on a gradient that is exactly
                // zero (a bias before a training-mode batch norm) is ~1e-7 of that scale, so float32 uses 1e-3 x the largest
                double floor = GoldenVerifier.gradientFloor(e.gradients().values()) * (dt == DataType.FLOAT ? 1e5 : 1);
                e.gradients().forEach((p, ref) -> {
                    INDArray g = grads.get(p);
                    if (g == null) throw new AssertionError(fx.name() + ": no gradient for parameter '" + p + "' (parameters: " + m.sameDiff().variables().stream()
                            .filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE).map(v -> v.name()).toList() + ")");
                    out.add(where + "grad[" + p + "] " + GoldenVerifier.relativeError(g.castTo(DataType.DOUBLE), ref, floor));
                });
            }
        }
        return out;
    }

    private static double rel(INDArray actual, double expected) {
        return Math.abs(actual.getDouble(0) - expected) / Math.max(Math.abs(expected), GoldenVerifier.VALUE_FLOOR);
    }
}
