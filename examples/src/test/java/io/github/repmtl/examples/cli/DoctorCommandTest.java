package io.github.repmtl.examples.cli;

import io.github.repmtl.examples.doctor.LossReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code repmtl doctor} on the CPU backend, and its stop on an (assumed) unsupported GPU. */
class DoctorCommandTest {
    @Test
    void theWholeCheckPassesOnTheCpuBackendAndMatchesTheBundledReference(@TempDir Path dir) {
        Path golden = Path.of(System.getProperty("repmtl.shared", "../../shared"), "golden");
        assertTrue(Files.isDirectory(golden), "fixtures missing: " + golden.toAbsolutePath());
        Path written = dir.resolve("ref.json");
        CliRunner.Result r = CliRunner.run("doctor", "--golden", golden.toString(), "--write-reference", written.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("backend: CPU"), out);
        assertTrue(out.contains("HAVE_ONEDNN") || out.contains("HAVE_OPENBLAS"), out);
        assertTrue(out.contains("device: none"), out);
        assertTrue(out.contains("repmtl-dense.json: PASS") && out.contains("repmtl-vector-multi-input.json: PASS"), out);
        assertTrue(out.contains("reference: bundled CPU reference"), out);
        for (String model : new String[]{"lenet", "resnet18"})
            for (int s = 1; s <= 3; s++)
                assertTrue(out.lines().anyMatch(l -> l.contains(model) && l.contains(" step ") && l.contains(" ms ") && l.endsWith(" OK")), model + "\n" + out);
        assertEquals(6, out.lines().filter(l -> l.contains("vs reference:") && l.endsWith(" OK")).count(), out);
        assertFalse(out.contains("FAIL"), out);
        assertTrue(out.trim().endsWith("doctor: all checks passed"), out);
        assertFalse(out.contains("Added differentiated op"), "SameDiff noise leaked: " + out);

        // the written reference holds the same values as the bundled one, within float32 tolerance
        LossReference mine = LossReference.read(written), bundled = LossReference.bundled();
        assertEquals(bundled.models().keySet(), mine.models().keySet());
        bundled.models().forEach((model, steps) -> {
            for (int i = 0; i < steps.size(); i++)
                for (var e : steps.get(i).entrySet())
                    assertTrue(LossReference.relativeError(mine.models().get(model).get(i).get(e.getKey()), e.getValue()) <= 1e-3, model + " " + e);
        });
    }

    @Test
    void anUnsupportedGpuStopsWithAClearMessage() {
        CliRunner.Result r = CliRunner.run("doctor", "--assume-device", "NVIDIA H100 PCIe:9.0", "--golden", "/nonexistent");
        assertEquals(DoctorCommand.UNSUPPORTED_DEVICE, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("device 0: NVIDIA H100 PCIe, compute capability 9.0: NOT SUPPORTED"), r.out());
        assertTrue(r.out().contains("doctor: STOP: compute capability 9.0"), r.out());
        assertTrue(r.out().contains("no kernel image is available"), r.out());
        assertFalse(r.out().contains("golden fixtures"), "must stop before the checks: " + r.out());
    }

    @Test
    void aSupportedGpuGoesOnAndSkipsWhatIsAbsent() {
        CliRunner.Result r = CliRunner.run("doctor", "--assume-device", "NVIDIA GeForce RTX 4090:8.9", "--golden", "/nonexistent", "--models", "none");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("compute capability 8.9: compute capability 8.9 runs the bundled sm_86 SASS"), r.out());
        assertTrue(r.out().contains("golden fixtures: skipped (no directory /nonexistent"), r.out());
        assertTrue(r.out().contains("training: skipped"), r.out());
    }

    @Test
    void badOptionsAreOneLineErrors() {
        CliRunner.Result steps = CliRunner.run("doctor", "--steps", "0");
        assertEquals(2, steps.code());
        assertEquals(1, steps.errorLines(), steps.err());
        CliRunner.Result model = CliRunner.run("doctor", "--models", "vgg");
        assertEquals(2, model.code());
        assertTrue(model.err().contains("unknown model 'vgg'"), model.err());
        CliRunner.Result help = CliRunner.run("doctor", "--help");
        assertEquals(0, help.code());
        String flat = help.out().replaceAll("\\s+", "");
        assertTrue(flat.contains("(default:../shared/golden)") && flat.contains("default:1e-3)") && flat.contains("(default:3)"), help.out());
    }
}
