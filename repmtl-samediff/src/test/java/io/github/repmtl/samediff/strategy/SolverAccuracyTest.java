package io.github.repmtl.samediff.strategy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.repmtl.samediff.strategy.gradient.CaGrad;
import io.github.repmtl.samediff.strategy.gradient.Mgda;
import io.github.repmtl.samediff.strategy.gradient.NashMtl;
import io.github.repmtl.samediff.strategy.math.KnownSolutions;
import io.github.repmtl.samediff.strategy.math.KnownSolutions.MinNormProblem;
import io.github.repmtl.samediff.strategy.math.KnownSolutions.NashProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.github.repmtl.samediff.strategy.math.KnownSolutions.bruteForceCaGradDual;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.gram;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.maxAbsDifference;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.minNormOnFace;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strategies built on inner solvers give the exact answer with their default options: MGDA's direction is the
 * min-norm point (normalisation none, loss and loss+) on gradients whose min-norm point is on a face of the
 * simplex, CAGrad's combination matches the closed form, Nash-MTL's weights the constructed bargaining solution;
 * and a solver stopped by its iteration limit is logged once per instance as a warning, then at debug level.
 */
class SolverAccuracyTest {
    private static final double TOL = 1e-8;
    /** Nash-MTL's ridge: {@code G~ + 1e-8 I}. */
    private static final double NASH_RIDGE = 1e-8;

    @ParameterizedTest
    @ValueSource(strings = {"none", "loss", "loss+"})
    void mgdaDefaultIsTheExactMinNormPoint(String normalization) {
        Random random = new Random(normalization.hashCode());
        List<ILoggingEvent> events = captured(Mgda.class, () -> {
            for (int tasks = 2; tasks <= 10; tasks++) {
                for (int draw = 0; draw < 10; draw++) {
                    MinNormProblem problem = minNormOnFace(random, tasks, 1 + random.nextInt(Math.min(2, tasks - 1)));
                    double[][] normalized = problem.gradients();
                    double[][] gradients = new double[tasks][];
                    double[] losses = new double[tasks];
                    double[] scales = new double[tasks];
                    for (int t = 0; t < tasks; t++) {
                        double k = Math.exp(random.nextGaussian());
                        // g_t = s_t g~_t, with s_t = L_t (loss) or L_t |g_t| (loss+, L_t = 1 / |g~_t|)
                        scales[t] = normalization.equals("none") ? 1 : k;
                        gradients[t] = StepFixtures.scale(normalized[t], scales[t]);
                        losses[t] = normalization.equals("loss+") ? 1 / StepFixtures.norm(normalized[t]) : k;
                    }
                    MultiTaskStrategy mgda = Strategies.create("mgda", tasks, Map.of("normalization", normalization));
                    Aggregation a = mgda.aggregate(StepFixtures.context(losses, GradientMode.PARAMETERS, gradients));
                    String what = normalization + ", " + tasks + " tasks, draw " + draw;
                    double error = relativeError(a.direction(), problem.minNormPoint());
                    assertTrue(error <= TOL, what + ": |d - d*| / |d*| = " + error);
                    for (int t = 0; t < tasks; t++) {
                        double expected = problem.weights()[t] / scales[t];
                        assertEquals(expected, a.directionWeights()[t], TOL * Math.abs(expected) + 1e-15, what + ": coefficient " + t);
                    }
                }
            }
        });
        assertEquals(0, events.size(), "no solver warnings: " + events);
    }

    @Test
    void mgdaFrankWolfeAtItsLimitWarnsOnce() {
        MultiTaskStrategy mgda = Strategies.create("mgda", 6, Map.of("solver", "frank-wolfe", "maxIterations", "3"));
        Random random = new Random(8);
        List<ILoggingEvent> events = captured(Mgda.class, () -> {
            for (int step = 0; step < 3; step++) StepFixtures.run(mgda, minNormOnFace(random, 6, 2).gradients());
        });
        assertWarnedOnceThenDebug(events, 3, "Frank-Wolfe reached maxIterations = 3 with duality gap");
    }

    @ParameterizedTest(name = "{0} tasks")
    @ValueSource(ints = {2, 3, 5, 8, 10})
    void caGradMatchesTheClosedForm(int tasks) {
        Random random = new Random(31L * tasks);
        int[] faces = {0};
        List<ILoggingEvent> events = captured(CaGrad.class, () -> {
            for (int draw = 0; draw < 40; draw++) {
                double[][] gradients = StepFixtures.randomJacobian(random, tasks, tasks + 2);
                for (int t = 0; t < tasks; t++) gradients[t] = StepFixtures.scale(gradients[t], Math.exp(random.nextGaussian()));
                double c = 0.05 + random.nextDouble();
                double[][] gram = gram(gradients);
                double meanSquare = 0;
                for (double[] row : gram) for (double v : row) meanSquare += v / (tasks * tasks);
                double radius = c * Math.sqrt(meanSquare);
                double[] w = bruteForceCaGradDual(gram, radius);
                double normGw = 0;
                for (int i = 0; i < tasks; i++) for (int j = 0; j < tasks; j++) normGw += w[i] * gram[i][j] * w[j];
                normGw = Math.sqrt(normGw);
                double[] expected = new double[tasks];
                double largest = 0;
                for (int t = 0; t < tasks; t++) {
                    expected[t] = 1.0 / tasks + radius / normGw * w[t];        // rescale=0: g0 + r g_w / |g_w|
                    largest = Math.max(largest, Math.abs(expected[t]));
                    if (w[t] == 0) faces[0]++;
                }
                MultiTaskStrategy cagrad = Strategies.create("cagrad", tasks, Map.of("c", Double.toString(c), "rescale", "0"));
                Aggregation a = StepFixtures.run(cagrad, gradients);
                assertEquals(0, maxAbsDifference(a.directionWeights(), expected), TOL * largest, "draw " + draw + ": CAGrad coefficients");
            }
        });
        assertTrue(faces[0] > 0, "some minimisers on a face");
        assertEquals(0, events.size(), "no solver warnings: " + events);
    }

    @ParameterizedTest(name = "{0} tasks")
    @ValueSource(ints = {2, 3, 5, 8, 10})
    void nashMtlReachesTheBargainingSolution(int tasks) {
        Random random = new Random(17L * tasks);
        for (int draw = 0; draw < 10; draw++) {
            NashProblem problem = KnownSolutions.nash(random, tasks, NASH_RIDGE);
            Aggregation tight = StepFixtures.run(Strategies.create("nash-mtl", tasks,
                    Map.of("maxNorm", "0", "tolerance", "1e-12", "maxIterations", "200")), problem.gradients());
            Aggregation defaults = StepFixtures.run(Strategies.create("nash-mtl", tasks, Map.of("maxNorm", "0")), problem.gradients());
            for (int t = 0; t < tasks; t++) {
                double expected = problem.weights()[t];
                assertEquals(expected, tight.weights()[t], TOL * expected, "draw " + draw + ": tolerance 1e-12, weight " + t);
                assertEquals(expected, defaults.weights()[t], 1e-5 * expected, "draw " + draw + ": defaults, weight " + t);
            }
        }
    }

    @Test
    void nashMtlAtItsLimitWarnsOnce() {
        MultiTaskStrategy nash = Strategies.create("nash-mtl", 4, Map.of("maxIterations", "1", "tolerance", "1e-12"));
        Random random = new Random(2);
        List<ILoggingEvent> events = captured(NashMtl.class, () -> {
            for (int step = 0; step < 3; step++) StepFixtures.run(nash, KnownSolutions.nash(random, 4, NASH_RIDGE).gradients());
        });
        assertWarnedOnceThenDebug(events, 3, "Nash-MTL stopped at maxIterations = 1 sub-problems with |G~ a - 1/a| = ");
    }

    private static void assertWarnedOnceThenDebug(List<ILoggingEvent> events, int count, String message) {
        assertEquals(count, events.size(), "one event per step: " + events);
        for (int i = 0; i < count; i++) {
            ILoggingEvent e = events.get(i);
            assertEquals(i == 0 ? Level.WARN : Level.DEBUG, e.getLevel(), e.getFormattedMessage());
            assertTrue(e.getFormattedMessage().contains(message), e.getFormattedMessage());
        }
        assertTrue(events.get(0).getFormattedMessage().contains("later occurrences are logged at debug level"));
    }

    /** The events (debug and above) that {@code type}'s logger receives while {@code body} runs. */
    private static List<ILoggingEvent> captured(Class<?> type, Runnable body) {
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level level = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logger.addAppender(appender);
        try {
            body.run();
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
        return appender.list;
    }
}
