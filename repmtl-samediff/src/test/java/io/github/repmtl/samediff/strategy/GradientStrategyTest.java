package io.github.repmtl.samediff.strategy;

import io.github.repmtl.samediff.strategy.gradient.GradNorm;
import io.github.repmtl.samediff.strategy.gradient.Imtl;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static io.github.repmtl.samediff.strategy.StepFixtures.J_BASE;
import static io.github.repmtl.samediff.strategy.StepFixtures.assertVector;
import static io.github.repmtl.samediff.strategy.StepFixtures.create;
import static io.github.repmtl.samediff.strategy.StepFixtures.dot;
import static io.github.repmtl.samediff.strategy.StepFixtures.norm;
import static io.github.repmtl.samediff.strategy.StepFixtures.run;
import static io.github.repmtl.samediff.strategy.StepFixtures.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient strategies against values derived by hand from their update rules (J = TorchJD's J_base). */
class GradientStrategyTest {
    private static final double[] G0 = J_BASE[0];
    private static final double[] G1 = J_BASE[1];

    private static Aggregation step(MultiTaskStrategy s, int epoch, double[] losses, double[][] gradients) {
        return s.aggregate(StepContext.builder().epoch(epoch).losses(losses).gradients(GradientMode.PARAMETERS, gradients)
                .random(new Random(3)).build());
    }

    private static double[] add(double[] a, double sa, double[] b, double sb) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = sa * a[i] + sb * b[i];
        return out;
    }

    @Test
    void mgdaWithL2NormalisationAveragesTheUnitGradients() {
        Aggregation a = run(create("mgda", 2, Map.of("normalization", "l2")), J_BASE);
        double n0 = norm(G0);
        double n1 = norm(G1);
        assertVector(add(G0, 0.5 / n0, G1, 0.5 / n1), a.direction(), 1e-9, "min-norm of two unit vectors = their mean");
        assertVector(new double[] {0.5 / n0, 0.5 / n1}, a.directionWeights(), 1e-9, "MGDA l2 coefficients");
    }

    @Test
    void dbMtlRescalesTheEmaOfLogLossGradients() {
        MultiTaskStrategy db = create("db-mtl", 2);
        double[] losses = {1, 2};
        double[] h0 = G0;
        double[] h1 = scale(G1, 0.5);                        // g / L
        double[] expected = add(h0, 1, h1, norm(h0) / norm(h1));
        Aggregation first = step(db, 0, losses, J_BASE);
        assertVector(scale(expected, 0.1), first.direction(), 1e-7, "step 1: buffer = (1 - 0.9) h");
        assertVector(new double[] {1, 0.5}, first.weights(), 1e-7, "head weights 1 / L");
        assertNull(first.directionWeights());
        assertVector(scale(expected, 0.19), step(db, 0, losses, J_BASE).direction(), 1e-7, "step 2: buffer = 0.19 h");
    }

    @Test
    void moCoTracksLossScaledUnitGradients() {
        MultiTaskStrategy moco = create("moco", 2);
        double[] losses = {1, 2};
        double[] y0 = scale(G0, 0.5 * 1 / norm(G0));    // y = beta_1 * h, beta_1 = 0.5, h = g / |g| * L
        double[] y1 = scale(G1, 0.5 * 2 / norm(G1));
        double l0 = 0.5 - 0.1 * (dot(y0, y0) * 0.5 + dot(y0, y1) * 0.5);
        double l1 = 0.5 - 0.1 * (dot(y1, y0) * 0.5 + dot(y1, y1) * 0.5);
        double lambda0 = Math.exp(l0) / (Math.exp(l0) + Math.exp(l1));
        Aggregation a = step(moco, 0, losses, J_BASE);
        assertVector(add(y0, lambda0, y1, 1 - lambda0), a.direction(), 1e-12, "MoCo step 1: Y^T lambda");
    }

    @Test
    void gradNormFavoursTheTaskWithTheSmallerGradientNorm() {
        GradNorm gradNorm = (GradNorm) create("gradnorm", 2, Map.of("lr", "0.1"));
        double[] losses = {1, 1};
        Aggregation first = step(gradNorm, 0, losses, J_BASE);
        assertVector(new double[] {2, 2, 2}, first.direction(), 1e-12, "first epoch: the plain sum");
        Aggregation second = step(gradNorm, 1, losses, J_BASE);
        assertVector(new double[] {2, 2, 2}, second.direction(), 1e-12, "weights T softmax(1, 1) = 1");
        assertVector(new double[] {1, 1}, second.weights(), 0, "head weights 1 (LibMTL)");
        // |g0| = sqrt(18) < mean norm < |g1| = sqrt(38) with equal training rates: s0 goes up, s1 down by lr
        double w0 = 2 / (1 + Math.exp(-0.2));
        assertVector(new double[] {w0, 2 - w0}, gradNorm.currentWeights(), 1e-6, "weights after one Adam step");
        assertVector(add(G0, w0, G1, 2 - w0), step(gradNorm, 1, losses, J_BASE).direction(), 1e-6, "GradNorm step 3");
    }

    @Test
    void gradVacRaisesTheSimilarityToItsTarget() {
        MultiTaskStrategy gradVac = create("gradvac", 2);
        run(gradVac, J_BASE);
        double cos = dot(G0, G1) / (norm(G0) * norm(G1));
        double target = 0.5 * cos;                          // phi after step 1 = beta * rho
        double[] c = run(gradVac, J_BASE).directionWeights();
        double[] adjusted0 = add(G0, 1, G1, c[1] - 1);      // g0 + w01 g1
        double[] adjusted1 = add(G1, 1, G0, c[0] - 1);      // g1 + w10 g0
        assertEquals(target, dot(adjusted0, G1) / (norm(adjusted0) * norm(G1)), 1e-7, "cos(g0^GV, g1) = phi");
        assertEquals(target, dot(adjusted1, G0) / (norm(adjusted1) * norm(G0)), 1e-7, "cos(g1^GV, g0) = phi");
    }

    @Test
    void gradVacPerParameterBlocksWorkBlockWise() {
        MultiTaskStrategy blockWise = create("gradvac", 2, Map.of("granularity", "parameter"));
        double[][] j = {{-4, 1, 1, 2, 3}, {6, 1, 1, 2, 3}};
        Aggregation a = blockWise.aggregate(StepContext.builder().losses(1, 1).gradients(GradientMode.PARAMETERS, j)
                .parameterSizes(3, 2).random(new Random(1)).build());
        assertVector(new double[] {0.5848, 3.8012, 3.8012, 4, 6}, a.direction(), 1e-4,
                "block 1 = PCGrad of J_base, block 2 has no conflict and is summed");
        assertNull(a.directionWeights(), "per-block coefficients are not one combination");
    }

    @Test
    void gradDropKeepsOneSignPerFeature() {
        double[][] j = {{1, -2, 3, 0.5, -1, 2}, {-1, 1, 1, 0.5, 2, -2}};
        double[] z = {1, 1, 1, 1, 1, 1};                    // sign(Z) = 1: per feature sums over the 2 samples
        StepContext.Builder b = StepContext.builder().losses(1, 1).gradients(GradientMode.REPRESENTATION, j).representation(z, 2);
        Aggregation leaky = create("graddrop", 2, Map.of("leak", "1")).aggregate(b.random(new Random(5)).build());
        assertVector(new double[] {0, -1, 4, 1, 1, 0}, leaky.direction(), 0, "leak 1: the plain sum");
        Aggregation dropped = create("graddrop", 2).aggregate(b.random(new Random(5)).build());
        // feature sums s_t = (g[0..2] + g[3..5]): task 0 (1.5, -3, 5), task 1 (-0.5, 3, -1)
        double[][] keepPositive = {{1, 0, 3, 0.5, 0, 2}, {0, 1, 0, 0, 2, 0}};
        for (int f = 0; f < 3; f++) {
            double positive = keepPositive[0][f] + keepPositive[1][f];
            double all = j[0][f] + j[1][f];
            double negative = all - positive;
            double d = dropped.direction()[f];
            assertTrue(d == positive || d == negative, "feature " + f + ": " + d + " is one sign's sum");
            double d2 = dropped.direction()[f + 3];
            double positive2 = keepPositive[0][f + 3] + keepPositive[1][f + 3];
            assertEquals(d == positive ? positive2 : j[0][f + 3] + j[1][f + 3] - positive2, d2, 0, "same mask for every sample");
        }
        Aggregation again = create("graddrop", 2).aggregate(b.random(new Random(5)).build());
        assertVector(dropped.direction(), again.direction(), 0, "seeded");
    }

    @Test
    void imtlScalesHeadsAndGradientsByItsLearnedScales() {
        Imtl imtl = (Imtl) create("imtl", 2, Map.of("lr", "0.1"));
        step(imtl, 0, new double[] {2, 0.5}, J_BASE);
        assertVector(new double[] {-0.1, 0.1}, imtl.scales(), 1e-6, "exp(s) L - 1 = (1, -0.5): Adam moves s by lr");
        Aggregation a = step(imtl, 0, new double[] {2, 0.5}, J_BASE);
        assertVector(new double[] {Math.exp(-0.1), Math.exp(0.1)}, a.weights(), 1e-6, "head weights exp(s)");
        double[] scaled0 = scale(G0, Math.exp(-0.1));
        double[] scaled1 = scale(G1, Math.exp(0.1));
        double[] d = a.direction();
        assertEquals(dot(d, scaled0) / norm(scaled0), dot(d, scaled1) / norm(scaled1), 1e-5, "equal projections");
        assertEquals(1, a.directionWeights()[0] / Math.exp(-0.1) + a.directionWeights()[1] / Math.exp(0.1), 1e-5,
                "IMTL-G weights of the scaled gradients sum to 1");
    }

    @Test
    void nashMtlWithoutClippingIsFairGradScaledBySqrtOfTheGramNorm() {
        Aggregation nash = run(create("nash-mtl", 2, Map.of("maxNorm", "0", "maxIterations", "100", "tolerance", "1e-10")), J_BASE);
        Aggregation fair = run(create("fairgrad", 2), J_BASE);
        double frobenius = Math.sqrt(18 * 18 + 2 * 22 * 22 + 38 * 38);
        assertVector(scale(fair.direction(), Math.sqrt(frobenius)), nash.direction(), 1e-6, "G~ a = 1/a with G~ = G / |G|_F");
        double[] ga = {18 * nash.weights()[0] - 22 * nash.weights()[1], -22 * nash.weights()[0] + 38 * nash.weights()[1]};
        // up to the solver's ridge 1e-8 I on G~, i.e. 1e-8 |G|_F a
        assertVector(new double[] {frobenius / nash.weights()[0], frobenius / nash.weights()[1]}, ga, 1e-5, "G a = |G|_F / a");
    }

    @Test
    void nashMtlReusesItsWeightsBetweenUpdates() {
        MultiTaskStrategy nash = create("nash-mtl", 2, Map.of("updateWeightsEvery", "2"));
        double[] first = run(nash, J_BASE).weights();
        double[][] other = {{1, 0, 0}, {0, 1, 0}};
        assertVector(first, run(nash, other).weights(), 0, "step 2 reuses step 1's weights");
        double[] third = run(nash, other).weights();
        double norm = Math.sqrt(2);                          // G = I, |G|_F = sqrt(2): a = 2^(1/4)
        assertVector(new double[] {Math.sqrt(norm), Math.sqrt(norm)}, third, 1e-6, "step 3 recomputes");
    }

    @Test
    void caGradWithZeroRadiusIsTheMeanGradient() {
        Aggregation a = run(create("cagrad", 2, Map.of("c", "0")), J_BASE);
        assertVector(new double[] {1, 1, 1}, a.direction(), 1e-6, "c = 0: g0");
    }
}
