package io.github.repmtl.samediff.strategy;

import io.github.repmtl.samediff.strategy.weighting.UncertaintyWeighting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.github.repmtl.samediff.strategy.StepFixtures.LENGTH;
import static io.github.repmtl.samediff.strategy.StepFixtures.create;
import static io.github.repmtl.samediff.strategy.StepFixtures.randomJacobian;
import static io.github.repmtl.samediff.strategy.StepFixtures.validContext;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every strategy rejects bad input with an exception whose message names the problem. */
class InputValidationTest {

    static Stream<String> allStrategies() {
        return Strategies.names().stream();
    }

    static Stream<String> gradientStrategies() {
        return Strategies.descriptors().stream().filter(StrategyDescriptor::needsGradients).map(StrategyDescriptor::name);
    }

    static Stream<String> lossOnlyStrategies() {
        return Strategies.descriptors().stream().filter(d -> !d.needsGradients()).map(StrategyDescriptor::name);
    }

    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention '" + fragment + "'");
        }
    }

    private static StepContext context(MultiTaskStrategy s, double[] losses, double[][] gradients) {
        return validContext(s, 4, 0, losses, gradients, new Random(1));
    }

    @ParameterizedTest
    @MethodSource("allStrategies")
    void nonFiniteLossesAreNamed(String name) {
        MultiTaskStrategy s = create(name, 2);
        double[][] j = randomJacobian(new Random(1), 2, LENGTH);
        assertRejected(() -> s.aggregate(context(s, new double[] {1, Double.NaN}, j)), "step 4", "loss of task 'task1'", "NaN");
        assertRejected(() -> s.aggregate(context(s, new double[] {Double.POSITIVE_INFINITY, 1}, j)), "task 'task0'", "Infinity");
    }

    @ParameterizedTest
    @MethodSource("allStrategies")
    void wrongTaskCountIsNamed(String name) {
        MultiTaskStrategy s = create(name, 2);
        double[][] j = randomJacobian(new Random(1), 3, LENGTH);
        assertRejected(() -> s.aggregate(context(s, new double[] {1, 1, 1}, j)), "created for 2 tasks", "3 losses");
    }

    @ParameterizedTest
    @MethodSource("gradientStrategies")
    void nonFiniteGradientsAreNamed(String name) {
        MultiTaskStrategy s = create(name, 2);
        double[][] j = randomJacobian(new Random(1), 2, LENGTH);
        j[1][3] = Double.NaN;
        assertRejected(() -> s.aggregate(context(s, new double[] {1, 1}, j)), "gradient of task 'task1'", "NaN", "index 3");
    }

    @ParameterizedTest
    @MethodSource("gradientStrategies")
    void wrongGradientRowCountIsNamed(String name) {
        MultiTaskStrategy s = create(name, 2);
        double[][] j = randomJacobian(new Random(1), 3, LENGTH);
        assertRejected(() -> s.aggregate(context(s, new double[] {1, 1}, j)), "3 gradient rows");
    }

    @ParameterizedTest
    @MethodSource("gradientStrategies")
    void missingGradientsAreRejected(String name) {
        MultiTaskStrategy s = create(name, 2);
        StepContext none = StepContext.builder().losses(1, 1).random(new Random(1)).build();
        assertRejected(() -> s.aggregate(none), "gradient mode NONE is not supported", "needs per-task gradients");
    }

    @ParameterizedTest
    @MethodSource("lossOnlyStrategies")
    void gradientsForLossOnlyStrategiesAreRejected(String name) {
        MultiTaskStrategy s = create(name, 2);
        StepContext withGradients = StepContext.builder().losses(1, 1)
                .gradients(GradientMode.PARAMETERS, randomJacobian(new Random(1), 2, LENGTH)).random(new Random(1)).build();
        assertRejected(() -> s.aggregate(withGradients), "gradient mode PARAMETERS is not supported", "[NONE]");
    }

    @Test
    void raggedGradientRowsAreNamed() {
        double[][] ragged = {new double[LENGTH], new double[LENGTH + 1]};
        assertRejected(() -> StepContext.builder().losses(1, 1).gradients(GradientMode.PARAMETERS, ragged)
                .random(new Random(1)).build(), "gradient row 1 has 13 entries but row 0 has 12");
    }

    @ParameterizedTest
    @ValueSource(strings = {"db-mtl", "moco"})
    void gradientLengthMustNotChangeForPerParameterBuffers(String name) {
        MultiTaskStrategy s = create(name, 2);
        s.aggregate(context(s, new double[] {1, 1}, randomJacobian(new Random(1), 2, LENGTH)));
        double[][] longer = randomJacobian(new Random(2), 2, LENGTH + 1);
        assertRejected(() -> s.aggregate(StepContext.builder().losses(1, 1).gradients(GradientMode.PARAMETERS, longer)
                .random(new Random(1)).build()), "13 entries", "earlier steps had 12");
    }

    @Test
    void gradVacBlockCountMustNotChange() {
        MultiTaskStrategy s = create("gradvac", 2, Map.of("granularity", "parameter"));
        double[][] j = randomJacobian(new Random(1), 2, LENGTH);
        s.aggregate(context(s, new double[] {1, 1}, j));
        assertRejected(() -> s.aggregate(StepContext.builder().losses(1, 1).gradients(GradientMode.PARAMETERS, j)
                .parameterSizes(4, 4, 4).random(new Random(1)).build()), "3 parameter blocks", "earlier steps had 2");
        MultiTaskStrategy fresh = create("gradvac", 2, Map.of("granularity", "parameter"));
        assertRejected(() -> fresh.aggregate(StepContext.builder().losses(1, 1).gradients(GradientMode.PARAMETERS, j)
                .random(new Random(1)).build()), "parameter sizes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gls", "stch", "famo", "db-mtl", "moco"})
    void negativeLossesAreRejectedWhereLogsOrScalesNeedThem(String name) {
        MultiTaskStrategy s = create(name, 2);
        double[][] j = randomJacobian(new Random(1), 2, LENGTH);
        assertRejected(() -> s.aggregate(context(s, new double[] {1, -0.5}, j)), "loss of task 'task1' is -0.5", "must be");
    }

    @Test
    void gradDropNeedsTheRepresentation() {
        MultiTaskStrategy s = create("graddrop", 2);
        assertRejected(() -> s.aggregate(StepContext.builder().losses(1, 1)
                .gradients(GradientMode.REPRESENTATION, randomJacobian(new Random(1), 2, LENGTH)).random(new Random(1)).build()),
                "representation");
    }

    @Test
    void contextBuilderChecksItsParts() {
        double[][] j = randomJacobian(new Random(1), 2, LENGTH);
        assertRejected(() -> StepContext.builder().random(new Random(1)).build(), "losses are missing");
        assertRejected(() -> StepContext.builder().losses(1, 1).build(), "random source is missing");
        assertRejected(() -> StepContext.builder().losses(1, 1).gradients(GradientMode.REPRESENTATION, j)
                .representation(new double[5], 1).random(new Random(1)).build(), "representation has 5 entries");
        assertRejected(() -> StepContext.builder().losses(1, 1).gradients(GradientMode.REPRESENTATION, j)
                .representation(new double[LENGTH], 5).random(new Random(1)).build(), "batch size 5 does not divide");
        assertRejected(() -> StepContext.builder().losses(1, 1).gradients(GradientMode.PARAMETERS, j)
                .parameterSizes(5, 5).random(new Random(1)).build(), "sum to 10");
        assertRejected(() -> StepContext.builder().losses(1, 1).gradients(GradientMode.PARAMETERS, j)
                .representation(new double[LENGTH], 4).random(new Random(1)).build(), "only meaningful with REPRESENTATION");
        assertRejected(() -> StepContext.builder().gradients(GradientMode.NONE, j), "PARAMETERS or REPRESENTATION");
    }

    @Test
    void directLossVectorsAreChecked() {
        MultiTaskStrategy famo = create("famo", 2);
        famo.aggregate(StepContext.builder().losses(1, 1).random(new Random(1)).build());
        assertRejected(() -> famo.afterUpdate(new double[] {1}), "created for 2 tasks", "1 losses after the update");
        assertRejected(() -> famo.afterUpdate(new double[] {1, Double.NaN}), "task 'task1' is NaN");
        UncertaintyWeighting uw = (UncertaintyWeighting) create("uw", 2);
        assertRejected(() -> uw.logVarianceGradient(new double[] {Double.NaN, 1}), "task 'task0' is NaN");
    }
}
