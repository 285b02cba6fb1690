package io.github.repmtl.samediff.analysis;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PowerLawAnalyzerTest {
    private final PowerLawAnalyzer analyzer = PowerLawAnalyzer.builder().build();

    private static INDArray gaussian(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, shape);
    }

    /** I.i.d. standard normal entries from a seeded {@link Random}, independent of ND4J's generator. */
    private static INDArray gaussianMatrix(long seed, int rows, int columns) {
        Random random = new Random(seed);
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.length; i++) values[i] = random.nextGaussian();
        return Nd4j.createFromArray(values).reshape(rows, columns);
    }

    /** Entries with a power-law tail of exponent mu (symmetric, |w| ~ Pareto): a heavy-tailed ESD for mu < 2. */
    private static INDArray heavyTailed(long seed, double mu, int rows, int columns) {
        Random random = new Random(seed);
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = (random.nextBoolean() ? 1 : -1) * Math.pow(1 - random.nextDouble(), -1 / mu);
        }
        return Nd4j.createFromArray(values).reshape(rows, columns);
    }

    @Test
    void gaussianWeightsHaveNoHeavyTailButHeavyTailedWeightsDo() {
        Map<String, INDArray> weights = new LinkedHashMap<>();
        weights.put("random", gaussianMatrix(5, 1000, 500));
        weights.put("heavy", heavyTailed(18, 1.5, 600, 300));
        PowerLawAnalysis analysis = analyzer.analyze(weights, name -> "all");
        // measured: Gaussian 1000 x 500 over seeds 1..10 gave alpha 7.2 .. 23.8 (9.97 for this seed);
        // entries with a mu = 1.5 tail gave 1.8 .. 2.3 (Martin and Mahoney predict about 1 + mu / 2)
        double randomAlpha = analysis.layer("random").fit().alpha();
        double heavyAlpha = analysis.layer("heavy").fit().alpha();
        assertTrue(randomAlpha > 5, "Gaussian alpha " + randomAlpha);
        assertTrue(heavyAlpha < 3, "heavy-tailed alpha " + heavyAlpha);
        assertEquals(500, analysis.layer("random").eigenvalues());
    }

    @Test
    void layersGroupsAndSkippedLayers() {
        Map<String, INDArray> weights = new LinkedHashMap<>();
        weights.put("conv1", gaussian(1, 3, 3, 16, 24));
        weights.put("dense", gaussian(2, 64, 32));
        weights.put("seg_head", gaussian(3, 1, 1, 48, 40));
        weights.put("tiny", gaussian(4, 3, 3));
        weights.put("orthogonal", Nd4j.eye(12));
        Map<String, String> groups = Map.of("conv1", "backbone", "dense", "backbone", "seg_head", "head:seg",
                "tiny", "head:seg", "orthogonal", "head:seg");
        PowerLawAnalysis analysis = analyzer.analyze(weights, groups);

        LayerPowerLaw conv = analysis.layer("conv1");
        assertEquals(9, conv.matrices());
        assertEquals(16, conv.rows());
        assertEquals(24, conv.columns());
        assertEquals(9 * 16, conv.eigenvalues());
        assertEquals("backbone", conv.group());
        LayerPowerLaw dense = analysis.layer("dense");
        GroupPowerLaw backbone = analysis.group("backbone");
        assertEquals(2, backbone.layers());
        assertEquals((conv.fit().alpha() + dense.fit().alpha()) / 2, backbone.meanAlpha(), 1e-12);
        assertEquals((conv.fit().ksDistance() + dense.fit().ksDistance()) / 2, backbone.meanKsDistance(), 1e-12);
        assertEquals((conv.fit().tailSize() + dense.fit().tailSize()) / 2.0, backbone.meanTailSize(), 1e-12);
        GroupPowerLaw head = analysis.group("head:seg");
        assertEquals(1, head.layers());
        assertEquals(analysis.layer("seg_head").fit().alpha(), head.meanAlpha(), 0.0);

        assertTrue(analysis.skipped().get("tiny").contains("only 3"), analysis.skipped().toString());
        assertTrue(analysis.skipped().get("orthogonal").contains("equal"), analysis.skipped().toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> analysis.layer("tiny")).getMessage().contains("not fitted"));
    }

    @Test
    void convLayoutDecidesTheTaps() {
        INDArray yxio = gaussian(5, 3, 3, 20, 30);
        INDArray oiyx = yxio.permute(3, 2, 0, 1).dup('c');
        double alpha = analyzer.analyze(Map.of("c", yxio), name -> "g").layer("c").fit().alpha();
        PowerLawAnalyzer torchStyle = PowerLawAnalyzer.builder().convLayout(ConvWeightLayout.OIYX).build();
        assertEquals(alpha, torchStyle.analyze(Map.of("c", oiyx), name -> "g").layer("c").fit().alpha(), 1e-9);
    }

    @Test
    void badInputsAreErrorsNamingTheLayer() {
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> analyzer.analyze(Map.of("bias", Nd4j.ones(5)), name -> "g"));
        assertTrue(rank.getMessage().contains("bias"), rank.getMessage());
        INDArray nan = gaussian(6, 20, 20);
        nan.putScalar(3, 4, Float.NaN);
        IllegalArgumentException nanError = assertThrows(IllegalArgumentException.class, () -> analyzer.analyze(Map.of("w", nan), name -> "g"));
        assertTrue(nanError.getMessage().contains("'w'") && nanError.getMessage().contains("NaN"), nanError.getMessage());
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class,
                () -> analyzer.analyze(Map.of("w", gaussian(7, 20, 20)), Map.of("other", "g")));
        assertTrue(group.getMessage().contains("'w'"), group.getMessage());
    }
}
