package io.github.repmtl.samediff.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.repmtl.samediff.model.MultiTaskModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory figures each epoch row of the training logs ends with. */
class TrainingLogsMemoryTest {
    @Test
    void epochsCsvAndJsonlCarryPositiveFiniteMemoryFigures(@TempDir Path dir) throws Exception {
        MultiTaskModel m = TinyModels.twoTaskDense(2);
        MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(0.02)).epochs(3).seed(5)
                .train(TinyModels.data(64, 16, 1)).validation(TinyModels.data(32, 16, 2))
                .listener(new TrainingLogs(dir)).build().fit();

        List<String> csv = Files.readAllLines(dir.resolve("epochs.csv"));
        assertEquals(4, csv.size(), "header + 3 epochs");
        List<String> header = Arrays.asList(csv.get(0).split(",", -1));
        assertEquals(List.of("heap_after_gc_mb", "physical_mb", "native_total_mb"), header.subList(header.size() - 3, header.size()));
        assertEquals("epoch", header.get(0));
        for (String row : csv.subList(1, csv.size())) {
            String[] v = row.split(",", -1);
            assertEquals(header.size(), v.length, row);
            for (int i = header.size() - 3; i < header.size(); i++) {
                double x = Double.parseDouble(v[i]);
                assertTrue(Double.isFinite(x) && x > 0, header.get(i) + " = " + v[i]);
            }
            double heap = Double.parseDouble(v[header.size() - 3]), physical = Double.parseDouble(v[header.size() - 2]);
            assertTrue(heap < Runtime.getRuntime().maxMemory() / 1e6 + 1, "heap after GC " + heap + " MB within -Xmx");
            assertTrue(physical > 10 && physical < 1e6, "resident memory of a JVM with ND4J loaded: " + physical + " MB");
        }

        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(dir.resolve("epochs.jsonl"))) {
            JsonNode mem = json.readTree(line).get("memory");
            for (String k : List.of("heapAfterGcMb", "physicalMb", "nativeTotalMb"))
                assertTrue(mem.get(k).isNumber() && mem.get(k).asDouble() > 0 && Double.isFinite(mem.get(k).asDouble()), k + " in " + line);
        }
    }

    @Test
    void memoryUsageReadsTheProcess() {
        MemoryUsage u = MemoryUsage.now();
        assertTrue(u.heapAfterGcBytes() > 0);
        assertTrue(u.physicalBytes() > 0);
        assertTrue(u.totalBytes() >= 0);
        long rss = MemoryUsage.residentBytes();
        if (Files.exists(Path.of("/proc/self/status"))) assertTrue(rss > 1_000_000, "VmRSS " + rss);
    }
}
