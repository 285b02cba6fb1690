package io.github.repmtl.samediff.strategy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.github.repmtl.samediff.strategy.StepFixtures.LENGTH;
import static io.github.repmtl.samediff.strategy.StepFixtures.positiveLosses;
import static io.github.repmtl.samediff.strategy.StepFixtures.randomJacobian;
import static io.github.repmtl.samediff.strategy.StepFixtures.validContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpointing: after {@code state()} / {@code restore()} (directly, and through a JSON round trip as a
 * checkpoint would store it) a fresh instance produces exactly the same subsequent outputs; for stateful
 * strategies a fresh instance without the state does not.
 */
class StateRoundTripTest {
    private static final int TASKS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> allStrategies() {
        List<String> specs = new ArrayList<>(Strategies.names());
        specs.addAll(List.of("stch:warmupEpochs=0", "gradvac:granularity=parameter", "nash-mtl:updateWeightsEvery=2",
                "uw:lr=0.1", "gradnorm:lr=0.1"));
        return specs.stream();
    }

    static Stream<String> statefulStrategies() {
        return Stream.of("uw", "dwa", "imtl-l", "stch:warmupEpochs=0", "famo", "db-mtl", "gradnorm", "gradvac",
                "gradvac:granularity=parameter", "imtl", "nash-mtl", "moco");
    }

    private static MultiTaskStrategy create(String spec) {
        String[] parts = spec.split(":");
        Map<String, String> options = new HashMap<>();
        if (parts.length > 1) options.put(parts[1].split("=")[0], parts[1].split("=")[1]);
        return Strategies.create(parts[0], TASKS, options);
    }

    /** Step k of a fixed schedule (epoch k / 2), including FAMO's extra pass. */
    private static Aggregation step(MultiTaskStrategy s, int k) {
        double[] losses = positiveLosses(new Random(100 + k), TASKS);
        double[][] gradients = randomJacobian(new Random(200 + k), TASKS, LENGTH);
        Aggregation a = s.aggregate(validContext(s, k, k / 2, losses, gradients, new Random(300 + k)));
        if (s.needsLossesAfterUpdate()) {
            double[] after = losses.clone();
            for (int t = 0; t < TASKS; t++) after[t] *= 0.8 + 0.1 * t;
            s.afterUpdate(after);
        }
        return a;
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @MethodSource("allStrategies")
    void restoredInstancesContinueIdentically(String spec) throws Exception {
        MultiTaskStrategy original = create(spec);
        for (int k = 0; k < 5; k++) step(original, k);
        Map<String, Object> snapshot = original.state();
        String json = JSON.writeValueAsString(snapshot);
        MultiTaskStrategy direct = create(spec);
        direct.restore(snapshot);
        MultiTaskStrategy fromJson = create(spec);
        fromJson.restore(JSON.readValue(json, Map.class));
        assertEquals(json, JSON.writeValueAsString(fromJson.state()), "state survives the JSON round trip");
        for (int k = 5; k < 10; k++) {
            Aggregation expected = step(original, k);
            assertEquals(expected, step(direct, k), spec + " step " + k + " after restore()");
            assertEquals(expected, step(fromJson, k), spec + " step " + k + " after restore() of JSON");
        }
    }

    /** A distributed trainer's workers each get a copy through Java serialization: configuration and state travel. */
    @ParameterizedTest
    @MethodSource("allStrategies")
    void javaSerializedCopiesContinueIdentically(String spec) throws Exception {
        MultiTaskStrategy original = create(spec);
        for (int k = 0; k < 5; k++) step(original, k);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }
        MultiTaskStrategy copy;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (MultiTaskStrategy) in.readObject();
        }
        assertEquals(JSON.writeValueAsString(original.state()), JSON.writeValueAsString(copy.state()), spec + ": state of the copy");
        for (int k = 5; k < 10; k++) assertEquals(step(original, k), step(copy, k), spec + " step " + k + " of the serialized copy");
    }

    @ParameterizedTest
    @MethodSource("statefulStrategies")
    void stateMatters(String spec) {
        MultiTaskStrategy trained = create(spec);
        for (int k = 0; k < 5; k++) step(trained, k);
        MultiTaskStrategy fresh = create(spec);
        boolean differs = false;
        for (int k = 5; k < 10 && !differs; k++) {
            Aggregation expected = step(trained, k);
            try {
                differs = !expected.equals(step(fresh, k));
            } catch (IllegalStateException e) {
                differs = true;                              // e.g. DWA without the epoch history
            }
        }
        assertTrue(differs, spec + ": a fresh instance should behave differently from one with state");
    }

    @Test
    void restoreRejectsAnotherStrategysState() {
        Map<String, Object> state = create("uw").state();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create("imtl-l").restore(state));
        assertTrue(e.getMessage().contains("'uw'") && e.getMessage().contains("'imtl-l'"), e.getMessage());
    }

    @Test
    void restoreRejectsOtherTasks() {
        Map<String, Object> state = Strategies.create("uw", List.of("seg", "depth"), Map.of()).state();
        MultiTaskStrategy other = Strategies.create("uw", List.of("seg", "normal"), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.restore(state));
        assertTrue(e.getMessage().contains("[seg, depth]"), e.getMessage());
    }

    @Test
    void restoreNamesMalformedEntries() {
        Map<String, Object> state = new HashMap<>(create("uw").state());
        state.put("logVariances", List.of(1.0, 2.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create("uw").restore(state));
        assertTrue(e.getMessage().contains("'logVariances'") && e.getMessage().contains("3 entries"), e.getMessage());
        state.remove("logVariances");
        e = assertThrows(IllegalArgumentException.class, () -> create("uw").restore(state));
        assertTrue(e.getMessage().contains("'logVariances' is missing"), e.getMessage());
        Map<String, Object> nash = new HashMap<>(create("nash-mtl").state());
        nash.put("alpha", new double[] {1, 0, 1});
        e = assertThrows(IllegalArgumentException.class, () -> create("nash-mtl").restore(nash));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }
}
