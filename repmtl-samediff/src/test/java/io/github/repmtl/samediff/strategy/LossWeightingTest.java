package io.github.repmtl.samediff.strategy;

import io.github.repmtl.samediff.strategy.weighting.Famo;
import io.github.repmtl.samediff.strategy.weighting.ImpartialLossScaling;
import io.github.repmtl.samediff.strategy.weighting.UncertaintyWeighting;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import static io.github.repmtl.samediff.strategy.StepFixtures.assertVector;
import static io.github.repmtl.samediff.strategy.StepFixtures.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loss-weighting strategies against values derived by hand from their definitions. */
class LossWeightingTest {

    private static Aggregation step(MultiTaskStrategy s, int epoch, double... losses) {
        return s.aggregate(StepContext.builder().epoch(epoch).losses(losses).random(new Random(1)).build());
    }

    /** Central finite differences of an objective of the losses: the weights must be its gradient. */
    private static double[] numericGradient(ToDoubleFunction<double[]> objective, double[] losses) {
        double[] g = new double[losses.length];
        for (int t = 0; t < losses.length; t++) {
            double h = 1e-6 * Math.max(1, losses[t]);
            double[] up = losses.clone();
            double[] down = losses.clone();
            up[t] += h;
            down[t] -= h;
            g[t] = (objective.applyAsDouble(up) - objective.applyAsDouble(down)) / (2 * h);
        }
        return g;
    }

    @Test
    void equalWeightingGivesOnesAndNoDirection() {
        Aggregation a = step(create("ew", 3), 0, 0.3, 5, 2);
        assertVector(new double[] {1, 1, 1}, a.weights(), 0, "EW");
        assertNull(a.direction());
    }

    @Test
    void glsWeightsAreTheGradientOfTheGeometricMean() {
        double[] losses = {1, 4};
        Aggregation a = step(create("gls", 2), 0, losses);
        assertVector(new double[] {1, 0.25}, a.weights(), 1e-12, "GLS for losses (1, 4): sqrt(4) / (2 L_t)");
        double[] l3 = {0.5, 2, 3};
        double[] numeric = numericGradient(l -> Math.cbrt(l[0] * l[1] * l[2]), l3);
        assertVector(numeric, step(create("gls", 3), 0, l3).weights(), 1e-7, "GLS vs finite differences");
    }

    @Test
    void rlwIsTheSoftmaxOfSeededNormalSamples() {
        Random expectedSource = new Random(42);
        double x0 = expectedSource.nextGaussian();
        double x1 = expectedSource.nextGaussian();
        double[] expected = {Math.exp(x0) / (Math.exp(x0) + Math.exp(x1)), Math.exp(x1) / (Math.exp(x0) + Math.exp(x1))};
        MultiTaskStrategy rlw = create("rlw", 2);
        Random random = new Random(42);
        Aggregation first = rlw.aggregate(StepContext.builder().losses(1, 1).random(random).build());
        assertVector(expected, first.weights(), 1e-15, "RLW step 1");
        Aggregation second = rlw.aggregate(StepContext.builder().losses(1, 1).random(random).build());
        assertFalse(first.equals(second), "RLW redraws its weights every step");
        assertEquals(1, second.weights()[0] + second.weights()[1], 1e-15);
    }

    @Test
    void uncertaintyWeightingUpdatesItsLogVariancesWithAdam() {
        UncertaintyWeighting uw = (UncertaintyWeighting) create("uw", 2, Map.of("lr", "0.1"));
        double[] losses = {1, 0.5};
        double w0 = 1 / (2 * Math.exp(-0.5));
        assertVector(new double[] {0.5 - w0 * 1, 0.5 - w0 * 0.5}, uw.logVarianceGradient(losses), 1e-12, "dUW/ds at s = -0.5");
        assertEquals(1.5 * w0 - 0.5, uw.objective(losses), 1e-12, "UW objective: sum L/(2 exp(s)) + s/2");
        assertVector(new double[] {w0, w0}, step(uw, 0, losses).weights(), 1e-12, "UW weights 1/(2 exp(-0.5))");
        // first Adam step moves each s_t by lr against the sign of its gradient (-0.32, +0.09)
        assertVector(new double[] {-0.4, -0.6}, uw.logVariances(), 1e-6, "s after one Adam step");
        assertVector(new double[] {1 / (2 * Math.exp(-0.4)), 1 / (2 * Math.exp(-0.6))}, step(uw, 0, losses).weights(), 1e-6,
                "UW weights after one step");
    }

    @Test
    void imtlLossScalesMoveTowardsUnitScaledLosses() {
        ImpartialLossScaling imtl = (ImpartialLossScaling) create("imtl-l", 2, Map.of("lr", "0.1"));
        double[] losses = {2, 0.5};
        assertVector(new double[] {1, -0.5}, imtl.scaleGradient(losses), 1e-12, "exp(0) L - 1");
        assertVector(new double[] {1, 1}, step(imtl, 0, losses).weights(), 0, "exp(s) at s = 0");
        assertVector(new double[] {-0.1, 0.1}, imtl.scales(), 1e-6, "s after one Adam step");
        assertVector(new double[] {Math.exp(-0.1), Math.exp(0.1)}, step(imtl, 0, losses).weights(), 1e-6, "IMTL-L step 2");
    }

    @Test
    void dwaUsesTheDescentRatesOfTheTwoPreviousEpochs() {
        MultiTaskStrategy dwa = create("dwa", 2);
        assertVector(new double[] {1, 1}, step(dwa, 0, 2, 4).weights(), 0, "epoch 0");
        step(dwa, 0, 4, 4);                                  // epoch 0 averages (3, 4)
        assertVector(new double[] {1, 1}, step(dwa, 1, 1.5, 4).weights(), 0, "epoch 1");   // averages (1.5, 4)
        double r0 = 1.5 / 3 / 2;
        double r1 = 4.0 / 4 / 2;
        double[] expected = {2 * Math.exp(r0) / (Math.exp(r0) + Math.exp(r1)), 2 * Math.exp(r1) / (Math.exp(r0) + Math.exp(r1))};
        assertVector(expected, step(dwa, 2, 9, 9).weights(), 1e-12, "epoch 2: 2 softmax(r / 2)");
        assertVector(expected, step(dwa, 2, 1, 1).weights(), 1e-12, "constant within the epoch");
        assertThrows(IllegalArgumentException.class, () -> step(dwa, 1, 1, 1), "epochs must not decrease");
    }

    @Test
    void dwaWithoutHistoryRefusesLaterEpochs() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> step(create("dwa", 2), 5, 1, 1));
        assertTrue(e.getMessage().contains("epochs 3 and 4"), e.getMessage());
    }

    @Test
    void stchWarmsUpOnLogLossesThenUsesTheNadirPoint() {
        MultiTaskStrategy stch = create("stch", 2, Map.of("mu", "0.5", "warmupEpochs", "1"));
        assertVector(new double[] {0.5, 0.25}, step(stch, 0, 2, 4).weights(), 1e-12, "warm-up: 1 / L");
        step(stch, 1, 1, 2);
        step(stch, 1, 3, 2);                                 // nadir = epoch 1 averages (2, 2)
        double[] losses = {1, 4};
        double mu = 0.5;
        ToDoubleFunction<double[]> objective = l -> {
            double a = Math.exp(Math.log(l[0] / 2) / mu);
            double b = Math.exp(Math.log(l[1] / 2) / mu);
            return 2 * mu * Math.log(a + b);
        };
        double[] weights = step(stch, 2, losses).weights();
        assertVector(numericGradient(objective, losses), weights, 1e-6, "STCH weights = d objective / d L");
        double s0 = Math.exp(Math.log(0.5) / mu);
        double s1 = Math.exp(Math.log(2) / mu);
        assertVector(new double[] {2 * s0 / (s0 + s1) / 1, 2 * s1 / (s0 + s1) / 4}, weights, 1e-12, "T softmax / L");
    }

    @Test
    void famoWeightsAndItsUpdateAfterTheStep() {
        Famo famo = (Famo) create("famo", 2);
        assertTrue(famo.needsLossesAfterUpdate());
        assertThrows(IllegalStateException.class, () -> famo.afterUpdate(new double[] {1, 1}), "afterUpdate before aggregate");
        double[] weights = step(famo, 0, 1, 3).weights();
        assertVector(new double[] {0.75, 0.25}, weights, 1e-7, "z / (c D) with z = (1/2, 1/2), c = 2/3");
        double[] numeric = numericGradient(l -> (0.5 * Math.log(l[0]) + 0.5 * Math.log(l[1])) / (2.0 / 3), new double[] {1, 3});
        assertVector(numeric, weights, 1e-6, "FAMO weights = gradient of sum z log D / c");
        famo.afterUpdate(new double[] {0.5, 3});            // task 0 improved: its logit goes down by lr
        assertVector(new double[] {-0.025, 0.025}, famo.logits(), 1e-6, "logits after one Adam step");
        assertThrows(IllegalStateException.class, () -> famo.afterUpdate(new double[] {1, 1}), "one afterUpdate per step");
        double z0 = Math.exp(-0.025) / (Math.exp(-0.025) + Math.exp(0.025));
        double c = z0 / 1 + (1 - z0) / 3;
        assertVector(new double[] {z0 / c, (1 - z0) / (3 * c)}, step(famo, 0, 1, 3).weights(), 1e-6, "FAMO step 2");
    }

    @Test
    void strategiesWithoutExtraPassRejectAfterUpdate() {
        MultiTaskStrategy ew = create("ew", 2);
        assertFalse(ew.needsLossesAfterUpdate());
        assertThrows(UnsupportedOperationException.class, () -> ew.afterUpdate(new double[] {1, 1}));
    }
}
