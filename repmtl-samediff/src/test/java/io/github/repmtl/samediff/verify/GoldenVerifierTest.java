package io.github.repmtl.samediff.verify;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both golden fixtures of {@code ../shared/golden}, every configuration, through the verifier. */
class GoldenVerifierTest {
    static Path golden(String name) {
        Path dir = Path.of(System.getProperty("repmtl.shared", "../../shared"), "golden");
        if (!Files.isDirectory(dir)) dir = Path.of("..", "..", "shared", "golden");
        Path p = dir.resolve(name);
        assertTrue(Files.exists(p), "golden fixture not found: " + p.toAbsolutePath());
        return p;
    }

    private static void assertPasses(String name) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = GoldenVerifier.run(golden(name), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        String[] lines = out.trim().split("\n");
        assertTrue(ok, out);
        assertTrue(lines[lines.length - 1].endsWith(": PASS"), lines[lines.length - 1]);
        int configs = GoldenFixture.load(golden(name)).results().size();
        assertEquals(2 * configs + 1, lines.length, "a line per configuration and placement, then the verdict: " + out);
        for (String placement : new String[]{" graph ", " host "})
            assertEquals(configs, java.util.Arrays.stream(lines).filter(l -> l.startsWith("config ") && l.contains(placement)).count(), placement + out);
    }

    @Test
    void denseSpatialFixture() { assertPasses("repmtl-dense.json"); }

    @Test
    void vectorMultiInputFixture() { assertPasses("repmtl-vector-multi-input.json"); }
}
