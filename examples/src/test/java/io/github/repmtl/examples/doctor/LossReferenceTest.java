package io.github.repmtl.examples.doctor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writing, reading and comparing reference values. */
class LossReferenceTest {
    private static TrainingCheck.Step step(int i, double left, double objective) {
        return new TrainingCheck.Step(i, 1.0, Map.of("left", left), 0.5, 1e-9, objective);
    }

    @Test
    void roundTripAndTolerance(@TempDir Path dir) {
        LossReference ref = LossReference.of("CPU", "HAVE_OPENBLAS", Map.of("lenet", List.of(step(1, 2.3, 4.0), step(2, 2.2, 3.9))));
        Path f = dir.resolve("r.json");
        ref.write(f);
        LossReference back = LossReference.read(f);
        assertEquals(ref, back);

        assertTrue(back.compare("lenet", step(1, 2.3, 4.0)).within(1e-12));
        LossReference.Comparison off = back.compare("lenet", step(2, 2.2 * (1 + 5e-4), 3.9 * (1 - 2e-3)));
        assertEquals("objective", off.worstValue());
        assertEquals(2e-3, off.worstError(), 1e-9);
        assertFalse(off.within(1e-3));
        assertTrue(off.within(3e-3));
        assertNull(back.compare("lenet", step(3, 2.0, 3.0)));
        assertNull(back.compare("resnet18", step(1, 2.0, 3.0)));
        // a near-zero value is compared against the floor, not against itself
        assertTrue(LossReference.relativeError(3e-9, 1e-9) < 1e-2);
        assertEquals(Double.POSITIVE_INFINITY, LossReference.relativeError(Double.NaN, 1));
    }

    @Test
    void theBundledReferenceCoversBothModels() {
        LossReference b = LossReference.bundled();
        assertNotNull(b, "bundled reference missing: " + LossReference.BUNDLED);
        assertEquals("CPU", b.backend());
        for (String m : TrainingCheck.MODELS) assertEquals(3, b.models().get(m).size(), m);
    }
}
