package io.github.repmtl.samediff.strategy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry: names, documented options, mode checks and the messages of rejected configurations. */
class StrategiesRegistryTest {
    private static final List<String> TASKS = List.of("seg", "depth");

    static Stream<StrategyDescriptor> descriptors() {
        return Strategies.descriptors().stream();
    }

    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention '" + fragment + "'");
        }
    }

    @Test
    void everyRequestedMethodIsRegistered() {
        assertEquals(List.of("ew", "gls", "rlw", "uw", "dwa", "imtl-l", "stch", "famo", "db-mtl", "mgda", "gradnorm", "pcgrad",
                "graddrop", "gradvac", "imtl-g", "imtl", "cagrad", "nash-mtl", "moco", "aligned-mtl", "fairgrad", "upgrad"),
                Strategies.names());
    }

    @ParameterizedTest
    @MethodSource("descriptors")
    void descriptorsDescribeTheirInstances(StrategyDescriptor d) {
        MultiTaskStrategy s = Strategies.create(d.name(), TASKS, Map.of());
        assertEquals(d.name(), s.name());
        assertEquals(TASKS, s.taskNames());
        assertEquals(d.needsGradients(), s.needsGradients());
        assertEquals(d.modes(), s.supportedModes());
        assertTrue(d.modes().contains(s.preferredMode()));
        String help = d.help();
        assertTrue(help.startsWith(d.name() + ": ") && !d.summary().isBlank(), help);
        for (OptionSpec o : d.options()) {
            assertTrue(help.contains(o.name() + " (") && help.contains("default " + o.defaultValue()), help);
            assertTrue(!o.description().isBlank(), d.name() + "." + o.name() + " needs a description");
        }
        assertTrue(Strategies.help().contains(help));
    }

    @Test
    void unknownStrategiesListTheValidOnes() {
        assertRejected(() -> Strategies.create("pgrad", TASKS, Map.of()), "unknown multi-task strategy 'pgrad'", "pcgrad", "nash-mtl");
    }

    @Test
    void unknownOptionsListTheValidOnes() {
        assertRejected(() -> Strategies.create("cagrad", TASKS, Map.of("alpha", "1")), "strategy 'cagrad'",
                "unknown option(s) [alpha]", "valid options: [c, rescale]");
        assertRejected(() -> Strategies.create("pcgrad", TASKS, Map.of("beta", "1")), "valid options: none");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cagrad|c|abc|a real number in [0, inf]",
            "cagrad|rescale|3|an integer in [0, 2]",
            "gradvac|beta|1.5|a real number in [0, 1]",
            "mgda|solver|simplex|one of [frank-wolfe, qp]",
            "dwa|temperature|0|a real number in (0, inf]"})
    void invalidValuesAreNamed(String strategy, String option, String value, String expected) {
        assertRejected(() -> Strategies.create(strategy, TASKS, Map.of(option, value)),
                "option '" + option + "' = '" + value + "'", expected);
    }

    @ParameterizedTest
    @CsvSource({"graddrop,PARAMETERS,[REPRESENTATION]", "db-mtl,REPRESENTATION,[PARAMETERS]", "moco,REPRESENTATION,[PARAMETERS]",
            "ew,PARAMETERS,[NONE]", "pcgrad,NONE,'[PARAMETERS, REPRESENTATION]'"})
    void unsupportedModesAreRejectedAtCreation(String strategy, GradientMode mode, String supported) {
        assertRejected(() -> Strategies.create(strategy, TASKS, Map.of(), mode),
                "'" + strategy + "' does not support gradient mode " + mode, "supported modes: " + supported);
    }

    @Test
    void optionsCanNarrowTheModes() {
        assertEquals(EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
                Strategies.create("gradvac", TASKS, Map.of()).supportedModes());
        assertRejected(() -> Strategies.create("gradvac", TASKS, Map.of("granularity", "parameter"), GradientMode.REPRESENTATION),
                "does not support gradient mode REPRESENTATION", "[PARAMETERS]");
    }

    @Test
    void libMtlSpellingsAreAccepted() {
        assertEquals("nash-mtl", Strategies.create("Nash_MTL", TASKS, Map.of()).name());
        assertEquals("db-mtl", Strategies.descriptor("DB_MTL").name());
        assertEquals("aligned-mtl", Strategies.descriptor("Aligned_MTL").name());
        assertEquals("imtl", Strategies.descriptor("IMTL").name());
        assertEquals("ew", Strategies.descriptor(" EW ").name());
    }

    @Test
    void builderValidatesLikeCreate() {
        MultiTaskStrategy s = Strategies.builder("cagrad").tasks("seg", "depth").option("c", 0.4).mode(GradientMode.PARAMETERS).build();
        assertEquals("cagrad", s.name());
        assertRejected(() -> Strategies.builder("cagrad").option("c", 0.4).build(), "task names are not set");
        assertRejected(() -> Strategies.builder("graddrop").tasks(TASKS).mode(GradientMode.PARAMETERS).build(), "does not support");
        assertRejected(() -> Strategies.builder("cagrad").tasks(TASKS).option("c", -1).build(), "option 'c' = '-1'");
    }

    @Test
    void preferredModes() {
        assertEquals(GradientMode.NONE, Strategies.create("ew", TASKS, Map.of()).preferredMode());
        assertEquals(GradientMode.PARAMETERS, Strategies.create("pcgrad", TASKS, Map.of()).preferredMode());
        assertEquals(GradientMode.REPRESENTATION, Strategies.create("graddrop", TASKS, Map.of()).preferredMode());
    }

    @Test
    void taskNamesMustBeDistinctAndNonBlank() {
        assertRejected(() -> Strategies.create("ew", List.of("seg", "seg"), Map.of()), "task name 'seg' is repeated");
        assertRejected(() -> Strategies.create("ew", List.of("seg", " "), Map.of()), "must not be blank");
        assertRejected(() -> Strategies.create("ew", List.of(), Map.of()), "at least one task");
    }
}
