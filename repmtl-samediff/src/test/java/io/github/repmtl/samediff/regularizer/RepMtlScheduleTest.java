package io.github.repmtl.samediff.regularizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepMtlScheduleTest {
    private static final RepMtlSchedule.Segment A = new RepMtlSchedule.Segment(0, 0.9, 1.1, 0.5);

    private static RepMtlSchedule twoPhases() {
        return new RepMtlSchedule(List.of(A, new RepMtlSchedule.Segment(2, 1.125, 0.72, 0.25)));
    }

    private static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void valuesByEpochRestrictionAndContinuation() {
        RepMtlSchedule s = twoPhases();
        assertEquals(A, s.at(0));
        assertEquals(A, s.at(1));
        assertEquals(1.125, s.at(2).lambdaTsr());
        assertEquals(0.25, s.at(99).tau());
        assertFalse(s.isConstant());
        assertEquals(RepMtlSchedule.constant(0.9, 1.1, 0.5), s.upTo(1));
        assertEquals(s, s.upTo(2));
        assertTrue(new RepMtlSchedule(List.of(A, A.from(3))).isConstant(), "equal adjacent segments are one constant");
        assertEquals(RepMtlSchedule.constant(0.9, 1.1, 0.5), new RepMtlSchedule(List.of(A, A.from(3))).canonical());
        RepMtlSchedule continued = s.followedBy(4, 2.0, 2.0, 1.0);
        assertEquals(3, continued.segments().size());
        assertEquals(s, continued.upTo(3));
        assertEquals(s.upTo(1), s.followedBy(2, 0.9, 1.1, 0.5), "continuing with the same values adds no segment");
        assertEquals(s.followedBy(1, 5, 5, 5).at(0), A);
    }

    @Test
    void jsonFileRoundTrip(@TempDir Path dir) throws Exception {
        RepMtlSchedule s = twoPhases();
        Path file = dir.resolve("sub").resolve("schedule.json");
        s.save(file);
        assertEquals(s, RepMtlSchedule.load(file));
        assertEquals(s, RepMtlSchedule.fromJson(new ObjectMapper().readTree(Files.readString(file)), "text"));
        assertTrue(Files.readString(file).contains("\"fromEpoch\" : 2"), Files.readString(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    void invalidSchedulesAreRejectedWithClearErrors(@TempDir Path dir) throws Exception {
        assertMessage("at least one segment", () -> new RepMtlSchedule(List.of()));
        assertMessage("must start at epoch 0, got 1", () -> new RepMtlSchedule(List.of(A.from(1))));
        assertMessage("segment 2 (from epoch 3) does not start after segment 1 (from epoch 5): segments must be sorted",
                () -> new RepMtlSchedule(List.of(A, A.from(5), A.from(3))));
        assertMessage("segment 1 (from epoch 0) does not start after segment 0", () -> new RepMtlSchedule(List.of(A, A.from(0))));
        assertMessage("segment 0 (from epoch 0): tau must be finite and > 0, got 0.0", () -> RepMtlSchedule.constant(1, 1, 0));
        assertMessage("tau must be finite and > 0, got -0.5", () -> RepMtlSchedule.constant(1, 1, -0.5));
        assertMessage("lambdaTsr must be finite and >= 0, got NaN", () -> RepMtlSchedule.constant(Double.NaN, 1, 0.5));
        assertMessage("lambdaCsa must be finite and >= 0, got -1.0", () -> RepMtlSchedule.constant(1, -1, 0.5));

        Path missing = dir.resolve("nope.json");
        assertMessage("Rep-MTL schedule file " + missing + " does not exist", () -> RepMtlSchedule.load(missing));
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"segments\": [{\"fromEpoch\": 0, \"lambdaTsr\": NaN, \"lambdaCsa\": 1, \"tau\": 1}]}");
        assertMessage("is not valid JSON", () -> RepMtlSchedule.load(bad));
        Files.writeString(bad, "{\"segments\": [{\"fromEpoch\": 0, \"lambdaTsr\": 1, \"lambdaCsa\": 1}]}");
        assertMessage(bad + ": segment 0: key 'tau' is missing", () -> RepMtlSchedule.load(bad));
        Files.writeString(bad, "{\"segments\": [{\"fromEpoch\": 0, \"lambdaTsr\": 1, \"lambdaCsa\": 1, \"tau\": 1, \"lr\": 1}]}");
        assertMessage("unknown key 'lr'", () -> RepMtlSchedule.load(bad));
        Files.writeString(bad, "{\"segments\": [{\"fromEpoch\": 1.5, \"lambdaTsr\": 1, \"lambdaCsa\": 1, \"tau\": 1}]}");
        assertMessage("'fromEpoch' must be an integer, got 1.5", () -> RepMtlSchedule.load(bad));
        Files.writeString(bad, "{\"segments\": [{\"fromEpoch\": 0, \"lambdaTsr\": 1, \"lambdaCsa\": 1, \"tau\": 1},"
                + " {\"fromEpoch\": 0, \"lambdaTsr\": 1, \"lambdaCsa\": 1, \"tau\": 2}]}");
        assertMessage(bad + ": schedule segment 1 (from epoch 0) does not start after", () -> RepMtlSchedule.load(bad));
        Files.writeString(bad, "[]");
        assertMessage("must be a JSON object", () -> RepMtlSchedule.load(bad));
    }

    @Test
    void repMtlTakesEitherConstantsOrASchedule() {
        RepMtl.Builder b = RepMtl.builder().sharedActivation("Z").task("a", "la").task("b", "lb");
        RepMtl scheduled = b.schedule(twoPhases()).build();
        assertEquals(0.9, scheduled.lambdaTsr());
        assertEquals(1.1, scheduled.lambdaCsa());
        assertEquals(twoPhases(), scheduled.schedule());
        assertEquals("{tasks=[a, b], lambdaTsr=0.9, lambdaCsa=1.1, tau=0.5, csaVariant=PAPER, logTransform=true}", scheduled.describeEpochs(1));
        RepMtl constant = RepMtl.builder().sharedActivation("Z").task("a", "la").task("b", "lb").lambdaTsr(0.9).lambdaCsa(1.1).tau(0.5).build();
        assertEquals(constant.toString(), scheduled.describeEpochs(1), "a schedule's constant part reads like a constant configuration");
        assertEquals(constant.toString(), constant.describeEpochs(7));
        assertTrue(scheduled.toString().contains("schedule=[0: lambdaTsr=0.9, lambdaCsa=1.1, tau=0.5; 2: lambdaTsr=1.125"), scheduled.toString());
        assertTrue(constant.schedule().isConstant());
        assertMessage("either lambdaTsr/lambdaCsa/tau or a schedule", () -> RepMtl.builder().sharedActivation("Z").task("a", "la").task("b", "lb")
                .lambdaTsr(1).schedule(twoPhases()).build());
    }
}
