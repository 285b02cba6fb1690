package io.github.repmtl.examples.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: verify-golden on both fixtures, and one-line errors with a non-zero exit. */
class RepMtlCliTest {
    private static Path golden(String name) {
        Path p = Path.of(System.getProperty("repmtl.shared", "../../shared"), "golden", name);
        assertTrue(Files.exists(p), "fixture missing: " + p.toAbsolutePath());
        return p;
    }

    @Test
    void verifyGoldenPassesBothFixtures() {
        for (String f : new String[]{"repmtl-dense.json", "repmtl-vector-multi-input.json"}) {
            CliRunner.Result r = CliRunner.run("verify-golden", golden(f).toString());
            String[] lines = r.out().trim().split("\n");
            assertEquals(0, r.code(), r.out() + r.err());
            assertEquals("golden " + golden(f) + ": PASS", lines[lines.length - 1]);
            assertFalse(r.out().contains("Added differentiated op"), "SameDiff noise leaked: " + r.out());
        }
    }

    @Test
    void errorsAreOneLineWithNonZeroExit(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        CliRunner.Result missing = CliRunner.run("verify-golden", dir.resolve("nope.json").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().trim().split("\n").length, missing.err());
        assertTrue(missing.err().contains("nope.json"), missing.err());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"model\":{\"graph\":{\"inputs\":[\"x\"],\"nodes\":[{\"op\":\"lstm\",\"in\":\"x\",\"out\":\"y\"}]}},"
                + "\"params\":{},\"data\":{\"x\":{\"shape\":[1,1],\"values\":[[1]]}},\"results\":[{\"config\":{},\"saliency\":[],"
                + "\"taskLosses\":[],\"objectiveTerms\":[],\"tsr\":0,\"csa\":0,\"objective\":0,\"gradients\":{}}]}");
        CliRunner.Result unknownOp = CliRunner.run("verify-golden", bad.toString());
        assertEquals(2, unknownOp.code());
        assertTrue(unknownOp.err().contains("unknown op 'lstm'"), unknownOp.err());

        CliRunner.Result flag = CliRunner.run("verify-golden", "--no-such-flag");
        assertTrue(flag.code() != 0);
        assertFalse(flag.err().contains("\tat "), "no stack trace without --verbose: " + flag.err());
    }
}
