package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SessionMemory#release}: the graph's sessions (and their array caches) are dropped, the next execution
 * starts a fresh one, and results are unchanged bitwise.
 */
class SessionMemoryTest {
    @Test
    void releaseDropsTheSessionsAndChangesNoResult() {
        MultiTaskModel m = TinyModels.twoTaskDense(3);
        SameDiff sd = m.sameDiff();
        Nd4j.getRandom().setSeed(1);
        Map<String, INDArray> feed = new HashMap<>();
        feed.put("x", Nd4j.randn(DataType.FLOAT, 8, 6));
        for (TaskBinding t : m.tasks()) feed.put(t.label(), Nd4j.createFromArray(0L, 1L, 2L, 0L, 1L, 2L, 0L, 1L));
        String[] losses = m.tasks().stream().map(TaskBinding::loss).toArray(String[]::new);
        Map<String, INDArray> before = sd.output(feed, losses);
        sd.output(feed, losses);
        assertFalse(sd.getSessions().isEmpty(), "an execution leaves a session");
        assertTrue(MemoryUsage.arrayCacheBytes(sd) > 0, "and released arrays in its cache");

        SessionMemory.release(sd);
        assertTrue(sd.getSessions().isEmpty());
        assertEquals(0, MemoryUsage.arrayCacheBytes(sd));
        Map<String, INDArray> after = sd.output(feed, losses);
        for (String l : losses) assertEquals(before.get(l).getDouble(0), after.get(l).getDouble(0), 0.0, l);
        assertFalse(sd.getSessions().isEmpty(), "the next execution starts a fresh session");
    }
}
