package io.github.repmtl.samediff.strategy;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.github.repmtl.samediff.strategy.StepFixtures.J_BASE;
import static io.github.repmtl.samediff.strategy.StepFixtures.assertVector;
import static io.github.repmtl.samediff.strategy.StepFixtures.create;
import static io.github.repmtl.samediff.strategy.StepFixtures.run;
import static io.github.repmtl.samediff.strategy.StepFixtures.scale;
import static io.github.repmtl.samediff.strategy.StepFixtures.shared;

/**
 * Reference outputs of TorchJD's test suite ({@code tests/unit/aggregation/test_values.py}) for the Jacobian
 * {@code J = [[-4, 1, 1], [6, 1, 1]]}, compared at TorchJD's tolerance (1e-4) after normalising our scale
 * conventions, which follow LibMTL: EW and Aligned-MTL sum over tasks where TorchJD averages (factor T = 2);
 * CAGrad's LibMTL default {@code rescale=1} divides by {@code 1 + c^2}, TorchJD's values are {@code rescale=0}.
 */
class ReferenceValuesTest {
    private static final double TOL = 1e-4;

    @Test
    void equalWeightingIsTwiceTheMean() {
        Aggregation a = create("ew", 2).aggregate(StepFixtures.context(new double[] {1, 1}, GradientMode.NONE, null));
        double[] d = shared(a, J_BASE);
        assertVector(new double[] {1, 1, 1}, scale(d, 0.5), TOL, "EW / T vs TorchJD Mean");
    }

    @Test
    void mgdaFrankWolfeAndExactQp() {
        for (String solver : new String[] {"frank-wolfe", "qp"}) {
            Aggregation a = run(create("mgda", 2, Map.of("solver", solver)), J_BASE);
            assertVector(new double[] {0, 1, 1}, a.direction(), TOL, "MGDA " + solver);
            assertVector(new double[] {0.6, 0.4}, a.directionWeights(), TOL, "MGDA weights " + solver);
            assertVector(new double[] {1, 1}, a.weights(), 0, "MGDA head weights");
        }
    }

    @Test
    void pcGrad() {
        Aggregation a = run(create("pcgrad", 2), J_BASE);
        assertVector(new double[] {0.5848, 3.8012, 3.8012}, a.direction(), TOL, "PCGrad");
        assertVector(new double[] {2.2222, 1.5789}, a.directionWeights(), TOL, "PCGrad weights");
    }

    @Test
    void upGrad() {
        Aggregation a = run(create("upgrad", 2), J_BASE);
        assertVector(new double[] {0.2929, 1.9004, 1.9004}, a.direction(), TOL, "UPGrad");
        assertVector(new double[] {1.1109, 0.7894}, a.directionWeights(), TOL, "UPGrad weights");
    }

    @Test
    void imtlG() {
        Aggregation a = run(create("imtl-g", 2), J_BASE);
        assertVector(new double[] {0.0767, 1, 1}, a.direction(), TOL, "IMTL-G");
        assertVector(new double[] {0.5923, 0.4077}, a.directionWeights(), TOL, "IMTL-G weights");
    }

    @Test
    void alignedMtlSumsWhereTorchJdAverages() {
        Aggregation a = run(create("aligned-mtl", 2), J_BASE);
        assertVector(new double[] {0.2133, 0.9673, 0.9673}, scale(a.direction(), 0.5), TOL, "Aligned-MTL / T");
        assertVector(new double[] {0.5591, 0.4083}, scale(a.directionWeights(), 0.5), TOL, "Aligned-MTL weights / T");
    }

    @Test
    void caGradWithAndWithoutRescaling() {
        double[] torchJd = {0.1835, 1.2041, 1.2041};
        Aggregation plain = run(create("cagrad", 2, Map.of("c", "0.5", "rescale", "0")), J_BASE);
        assertVector(torchJd, plain.direction(), TOL, "CAGrad rescale=0");
        assertVector(new double[] {0.7041, 0.5}, plain.directionWeights(), TOL, "CAGrad weights");
        Aggregation libMtl = run(create("cagrad", 2, Map.of("c", "0.5")), J_BASE);
        assertVector(scale(torchJd, 1 / 1.25), libMtl.direction(), TOL, "CAGrad rescale=1 (divided by 1 + c^2)");
        Aggregation half = run(create("cagrad", 2, Map.of("c", "0.5", "rescale", "2")), J_BASE);
        assertVector(scale(torchJd, 1 / 1.5), half.direction(), TOL, "CAGrad rescale=2 (divided by 1 + c)");
    }

    @Test
    void nashMtlWithUnitMaxNorm() {
        Aggregation a = run(create("nash-mtl", 2), J_BASE);
        assertVector(new double[] {0.0542, 0.7061, 0.7061}, a.direction(), TOL, "Nash-MTL");
    }

    @Test
    void fairGradWithAlphaOne() {
        Aggregation a = run(create("fairgrad", 2, Map.of("alpha", "1")), J_BASE);
        assertVector(new double[] {0.0766, 0.9985, 0.9985}, a.direction(), TOL, "FairGrad");
        assertVector(a.directionWeights(), a.weights(), 0, "FairGrad weights the losses like the gradients");
    }

    /**
     * Not in TorchJD's table: GradVac's first step (all target similarities 0) is PCGrad's projection, derived by
     * hand from its update rule ({@code phi = 0} gives {@code w = -rho |g_i| / |g_j|}).
     */
    @Test
    void gradVacFirstStepIsPcGrad() {
        Aggregation a = run(create("gradvac", 2), J_BASE);
        assertVector(new double[] {0.5848, 3.8012, 3.8012}, a.direction(), TOL, "GradVac step 1");
    }

    /** IMTL's scales start at 0, so its first step is IMTL-G's. */
    @Test
    void imtlFirstStepIsImtlG() {
        Aggregation a = run(create("imtl", 2), J_BASE);
        assertVector(new double[] {0.0767, 1, 1}, a.direction(), TOL, "IMTL step 1");
    }
}
