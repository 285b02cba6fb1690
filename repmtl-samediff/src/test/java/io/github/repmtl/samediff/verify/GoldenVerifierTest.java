package io.github.repmtl.samediff.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both golden fixtures of {@code ../shared/golden}, every configuration, through the verifier; and this module's
 * own fixture {@code golden/repmtl-bn-bias.json} (tools/golden/make_bn_bias_fixture.py), whose convolution biases
 * feed training-mode batch norms and so have an exactly-zero gradient (README: relative error with a floor).
 */
class GoldenVerifierTest {
    /** The biases of the BN fixture that feed a training-mode batch norm (true gradient 0). */
    private static final List<String> ZERO_GRADIENT_BIASES = List.of("seg.conv1.b", "depth.conv1.b", "normal.conv1.b");

    static Path golden(String name) {
        Path dir = Path.of(System.getProperty("repmtl.shared", "../../shared"), "golden");
        if (!Files.isDirectory(dir)) dir = Path.of("..", "..", "shared", "golden");
        Path p = dir.resolve(name);
        assertTrue(Files.exists(p), "golden fixture not found: " + p.toAbsolutePath());
        return p;
    }

    static Path bnBiasFixture() throws URISyntaxException {
        URL url = GoldenVerifierTest.class.getResource("/golden/repmtl-bn-bias.json");
        assertNotNull(url, "test resource golden/repmtl-bn-bias.json not found");
        return Path.of(url.toURI());
    }

    private static String run(Path file, boolean[] ok) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ok[0] = GoldenVerifier.run(file, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        return out;
    }

    private static String assertPasses(Path file) {
        boolean[] ok = new boolean[1];
        String out = run(file, ok);
        String[] lines = out.trim().split("\n");
        assertTrue(ok[0], out);
        assertTrue(lines[lines.length - 1].endsWith(": PASS"), lines[lines.length - 1]);
        GoldenFixture fx = GoldenFixture.load(file);
        int configs = fx.results().size();
        assertEquals(2 * configs + 1, lines.length, "a line per configuration and placement, then the verdict: " + out);
        for (String placement : new String[]{" graph ", " host "})
            assertEquals(configs, java.util.Arrays.stream(lines).filter(l -> l.startsWith("config ") && l.contains(placement)).count(), placement + out);
        // every configuration line prints the gradient floor it used: 1e-8 * the largest |reference gradient|
        for (int i = 0; i < configs; i++) {
            String floor = String.format(Locale.ROOT, "gradientFloor=%.3e", GoldenVerifier.gradientFloor(fx.results().get(i).gradients().values()));
            String prefix = "config " + (i + 1) + " ";
            assertEquals(2, java.util.Arrays.stream(lines).filter(l -> l.startsWith(prefix) && l.contains(floor)).count(), floor + "\n" + out);
        }
        return out;
    }

    @Test
    void denseSpatialFixture() { assertPasses(golden("repmtl-dense.json")); }

    @Test
    void vectorMultiInputFixture() { assertPasses(golden("repmtl-vector-multi-input.json")); }

    /** Biases before a training-mode batch norm: reference ~1e-17 noise, compared at the configuration's floor. */
    @Test
    void batchNormBiasFixture() throws Exception {
        Path file = bnBiasFixture();
        GoldenFixture fx = GoldenFixture.load(file);
        for (GoldenFixture.Expected e : fx.results())
            for (String b : ZERO_GRADIENT_BIASES) {
                double noise = e.gradients().get(b).amaxNumber().doubleValue();
                assertTrue(noise < 1e-14, b + " reference should be rounding noise, is " + noise);
            }
        assertPasses(file);

        // the same run, keeping the computed bias gradients: without the floor (the old rule) they would fail
        Map<String, INDArray> noFloorErrors = new LinkedHashMap<>();
        GoldenVerifier.Report report = GoldenVerifier.verify(file, (config, placement, param, actual) -> {
            if (ZERO_GRADIENT_BIASES.contains(param)) {
                INDArray reference = fx.results().stream().filter(r -> r.config().equals(config)).findFirst().orElseThrow().gradients().get(param);
                noFloorErrors.put(placement + " " + config + " " + param, Nd4j.scalar(
                        GoldenVerifier.relativeError(actual, reference, GoldenVerifier.VALUE_FLOOR)));
            }
            return actual;
        });
        assertEquals(2 * fx.results().size() * ZERO_GRADIENT_BIASES.size(), noFloorErrors.size());
        double worstNoFloor = noFloorErrors.values().stream().mapToDouble(INDArray::getDouble).max().orElseThrow();
        System.out.printf(Locale.ROOT, "biases before batch norm, relative error without the floor: worst %.3e%n", worstNoFloor);
        assertTrue(worstNoFloor > GoldenVerifier.GRADIENT_TOLERANCE, "the fixture should exercise the floor: " + noFloorErrors);

        assertTrue(report.passed(), report.verdictLine());
        for (GoldenVerifier.ConfigReport c : report.configs()) {
            assertTrue(c.gradientFloor() > 1e-9 && c.gradientFloor() < 1e-7, c.config() + " floor " + c.gradientFloor());
            for (GoldenVerifier.Check k : c.checks()) {
                boolean zeroBias = ZERO_GRADIENT_BIASES.stream().anyMatch(b -> k.quantity().equals("grad[" + b + "]"));
                // rounding noise ~1e-16 against a floor ~1e-8; everything else is reproduced to ~1e-13
                assertTrue(k.error() < (zeroBias ? 1e-7 : 1e-11), c.placement() + " " + c.config() + " " + k);
                if (k.quantity().startsWith("grad[")) assertEquals(c.gradientFloor(), k.floor());
                else assertEquals(GoldenVerifier.VALUE_FLOOR, k.floor());
            }
        }
    }

    /** The BN fixture reduced to its configuration 2 (log transform on, both regularizers), written to {@code dir}. */
    private static Path singleConfigBnFixture(Path dir, double referencePerturbation) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(Files.readAllBytes(bnBiasFixture()));
        ArrayNode results = (ArrayNode) root.get("results");
        JsonNode kept = results.get(1);
        results.removeAll();
        results.add(kept);
        ArrayNode bias = (ArrayNode) kept.get("gradients").get("seg.conv1.b").get("values");
        bias.set(2, mapper.getNodeFactory().numberNode(bias.get(2).asDouble() + referencePerturbation));
        Path file = dir.resolve(referencePerturbation == 0 ? "clean.json" : "perturbed.json");
        mapper.writeValue(file.toFile(), root);
        return file;
    }

    private static double gradientScale(Path file) {
        return GoldenVerifier.gradientFloor(GoldenFixture.load(file).results().get(0).gradients().values()) / GoldenVerifier.GRADIENT_FLOOR_FACTOR;
    }

    /** Only {@code grad[seg.conv1.b]} fails, in both placements, with the given error; every other check passes. */
    private static void assertOnlyBiasFails(GoldenVerifier.Report report, double expectedError) {
        assertFalse(report.passed());
        assertEquals(2, report.configs().size());
        for (GoldenVerifier.ConfigReport c : report.configs())
            for (GoldenVerifier.Check k : c.checks()) {
                if (k.quantity().equals("grad[seg.conv1.b]")) {
                    assertFalse(k.passed(), c.placement() + " " + k);
                    assertEquals(expectedError, k.error(), 1e-6 * expectedError, c.placement() + " " + k);
                } else {
                    assertTrue(k.passed(), c.placement() + " " + k);
                }
            }
        assertTrue(report.verdictLine().contains("FAIL (grad[seg.conv1.b] ") && report.verdictLine().contains(", floor "), report.verdictLine());
    }

    /** A real error of 1e-4 (relative to the configuration's gradient scale) in the implementation's bias gradient fails. */
    @Test
    void realErrorOnBatchNormBiasInImplementationFails(@TempDir Path tmp) throws Exception {
        Path clean = singleConfigBnFixture(tmp, 0);
        double scale = gradientScale(clean);
        GoldenVerifier.Report report = GoldenVerifier.verify(clean, (config, placement, param, actual) -> {
            if (!param.equals("seg.conv1.b")) return actual;
            INDArray wrong = actual.dup();
            wrong.putScalar(2, wrong.getDouble(2) + 1e-4 * scale);
            return wrong;
        });
        System.out.println(report.verdictLine());
        // ~1e-4 * scale against the floor 1e-8 * scale (the reference is ~1e-17 noise)
        assertOnlyBiasFails(report, 1e4);
    }

    /** The same error on the reference side (the fixture's bias gradient off by 1e-4 * scale) fails as well, printed as FAIL. */
    @Test
    void realErrorOnBatchNormBiasInReferenceFails(@TempDir Path tmp) throws Exception {
        double scale = gradientScale(singleConfigBnFixture(tmp, 0));
        Path perturbed = singleConfigBnFixture(tmp, 1e-4 * scale);
        boolean[] ok = new boolean[1];
        String out = run(perturbed, ok);
        assertFalse(ok[0], out);
        String verdict = out.trim().substring(out.trim().lastIndexOf('\n') + 1);
        assertTrue(verdict.contains(": FAIL (grad[seg.conv1.b] ") && verdict.contains(", floor "), verdict);
        // the reference's own scale is now the 1e-4 * scale entry, above the floor: an error of 1
        assertOnlyBiasFails(GoldenVerifier.verify(perturbed), 1.0);
    }

    /** The README's rule on arrays: noise against noise is an error of order 1 without the floor, negligible with it. */
    @Test
    void relativeErrorWithFloor() {
        var expected = Nd4j.createFromArray(1e-17, -2e-17, 5e-17);
        var actual = Nd4j.createFromArray(-3e-17, 1e-17, 4e-17);
        assertEquals(0.8, GoldenVerifier.relativeError(actual, expected, GoldenVerifier.VALUE_FLOOR), 1e-12);
        assertEquals(4e-17 / 1e-8, GoldenVerifier.relativeError(actual, expected, 1e-8), 1e-20);
        // the floor only applies when it exceeds the reference's own scale
        var big = Nd4j.createFromArray(2.0, -4.0);
        assertEquals(0.25, GoldenVerifier.relativeError(Nd4j.createFromArray(3.0, -4.0), big, 1e-8), 1e-15);
        assertEquals(1e-8 * 4.0, GoldenVerifier.gradientFloor(List.of(expected, big)), 1e-22);
        assertEquals(Double.POSITIVE_INFINITY, GoldenVerifier.relativeError(Nd4j.createFromArray(1.0), big, 1e-8));
        assertTrue(Double.isNaN(GoldenVerifier.relativeError(Nd4j.createFromArray(Double.NaN, 1.0), big, 1e-8)));
        // no floor: an exact zero must be reproduced exactly
        var zero = Nd4j.createFromArray(0.0);
        assertEquals(0.0, GoldenVerifier.relativeError(zero, zero, GoldenVerifier.VALUE_FLOOR));
    }
}
