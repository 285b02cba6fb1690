package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.regularizer.CsaVariant;
import io.github.repmtl.samediff.regularizer.RepMtl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepMtlCandidateTest {

    @Test
    void savedConfigurationLoadsBack(@TempDir Path dir) throws Exception {
        RepMtlCandidate c = new RepMtlCandidate(1.3, 0.7, 0.25, CsaVariant.INFONCE, false, 3.0e-4, "pcgrad");
        Path file = dir.resolve(RepMtlCandidate.BEST_CONFIG_FILE);
        c.save(file);
        assertEquals(c, RepMtlCandidate.load(file));
        String text = Files.readString(file);
        for (String key : new String[]{"\"lambdaTsr\" : 1.3", "\"lambdaCsa\" : 0.7", "\"tau\" : 0.25", "\"csaVariant\" : \"INFONCE\"",
                "\"logTransform\" : false", "\"learningRate\" : 3.0E-4", "\"strategy\" : \"pcgrad\""})
            assertTrue(text.contains(key), key + " missing from " + text);
        assertTrue(Files.list(dir).allMatch(p -> p.equals(file)), "no temporary file is left behind");
    }

    @Test
    void loadingAcceptsAnyCaseAndCanonicalisesTheStrategy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.json");
        Files.writeString(file, "{\"lambdaTsr\":1,\"lambdaCsa\":0.9,\"tau\":0.5,\"csaVariant\":\"infonce\",\"logTransform\":true,"
                + "\"learningRate\":0.01,\"strategy\":\"DB_MTL\"}");
        assertEquals(new RepMtlCandidate(1.0, 0.9, 0.5, CsaVariant.INFONCE, true, 0.01, "db-mtl"), RepMtlCandidate.load(file));
    }

    @Test
    void badFilesAreRejectedNamingFileAndKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        String valid = "\"lambdaCsa\":0.9,\"tau\":0.5,\"csaVariant\":\"PAPER\",\"logTransform\":true,\"learningRate\":0.01,\"strategy\":\"ew\"";
        assertRejected(file, "{" + valid + "}", "lambdaTsr");
        assertRejected(file, "{\"lambdaTsr\":-1," + valid + "}", "lambdaTsr must be finite and >= 0");
        assertRejected(file, "{\"lambdaTsr\":1," + valid.replace("PAPER", "COSINE") + "}", "COSINE");
        assertRejected(file, "{\"lambdaTsr\":1," + valid.replace("\"ew\"", "\"magic\"") + "}", "magic");
        assertRejected(file, "{\"lambdaTsr\":1,\"extra\":2," + valid + "}", "extra");
        assertRejected(file, "{\"lambdaTsr\":\"1\"," + valid + "}", "must be a number");
        assertRejected(file, "{not json", "not valid JSON");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepMtlCandidate.load(dir.resolve("missing.json")));
        assertTrue(e.getMessage().contains("missing.json"), e.getMessage());
    }

    private static void assertRejected(Path file, String json, String expected) throws Exception {
        Files.writeString(file, json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepMtlCandidate.load(file), json);
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void configuresRepMtlForAModel() {
        RepMtl rep = new RepMtlCandidate(1.5, 0.7, 0.2, CsaVariant.INFONCE, false, 1e-3, "ew").repMtl(TinyMultiTask.model()).build();
        assertEquals(1.5, rep.lambdaTsr());
        assertEquals(0.7, rep.lambdaCsa());
        assertEquals(0.2, rep.tau());
        assertEquals(CsaVariant.INFONCE, rep.csaVariant());
        assertEquals(false, rep.logTransform());
        assertEquals(TinyMultiTask.TASKS, rep.taskNames());
    }
}
