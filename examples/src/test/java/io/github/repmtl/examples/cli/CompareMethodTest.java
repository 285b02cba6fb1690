package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.repmtl.arbiter.RepMtlCandidate;
import io.github.repmtl.samediff.regularizer.CsaVariant;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;
import io.github.repmtl.samediff.strategy.GradientMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** compare's method spellings: strategies, Rep-MTL with values or a search's configuration, stl; bad spellings name the problem. */
class CompareMethodTest {
    @Test
    void spellingsParseToCanonicalLabelsAndSettings() {
        CompareMethod stl = CompareMethod.parse(" STL ", null);
        assertTrue(stl.singleTask());
        assertEquals("stl", stl.label());

        CompareMethod ew = CompareMethod.parse("EW", null);
        assertEquals("ew", ew.label());
        assertNull(ew.repMtl());

        CompareMethod rep = CompareMethod.parse("Rep-MTL:lambda-tsr=0.001:lambda_csa=0.1", null);
        assertEquals("rep-mtl:lambdaTsr=0.001:lambdaCsa=0.1", rep.label());
        assertEquals("ew", rep.strategy());
        assertEquals(0.001, rep.repMtl().lambdaTsr());
        assertEquals(0.1, rep.repMtl().lambdaCsa());
        RepMtlCandidate defaults = RepMtlCandidate.defaults();
        assertEquals(defaults.tau(), rep.repMtl().tau(), "unset values are train's defaults");
        assertEquals(0.9, CompareMethod.parse("rep-mtl", null).repMtl().lambdaTsr());

        CompareMethod onUw = CompareMethod.parse("uw+rep-mtl:csaVariant=infonce:logTransform=false", null);
        assertEquals("uw+rep-mtl:csaVariant=infonce:logTransform=false", onUw.label());
        assertEquals("uw", onUw.strategy());
        assertEquals(CsaVariant.INFONCE, onUw.repMtl().csaVariant());
        assertFalse(onUw.repMtl().logTransform());
        assertEquals("pcgrad+rep-mtl", CompareMethod.parse("rep-mtl+PCGrad", null).label(), "the strategy comes first");

        CompareMethod cagrad = CompareMethod.parse("cagrad:c=0.4", null);
        assertEquals(Map.of("c", "0.4"), cagrad.strategyOptions());
        CompareMethod mgda = CompareMethod.parse("mgda:gradient-mode=REPRESENTATION", null);
        assertEquals(GradientMode.REPRESENTATION, mgda.gradientMode());
        assertEquals("mgda:gradientMode=representation", mgda.label());
        assertEquals("rep-mtl_lambdaTsr=0.001_lambdaCsa=0.1", rep.folder());
    }

    @Test
    void aSearchConfigurationGivesTheRegularizerValues(@TempDir Path dir) {
        Path file = dir.resolve("best-config.json");
        new RepMtlCandidate(0.003, 0.3, 0.25, CsaVariant.PAPER, true, 5e-4, "uw").save(file);
        CompareMethod searched = CompareMethod.parse("rep-mtl:config", file);
        assertEquals(0.003, searched.repMtl().lambdaTsr());
        assertEquals(0.3, searched.repMtl().lambdaCsa());
        assertEquals(0.25, searched.repMtl().tau());
        assertEquals("ew", searched.strategy(), "the method names its strategy; the file's is not used");
        assertEquals(file, searched.configFile());
        CompareMethod overridden = CompareMethod.parse("rep-mtl:config=" + file + ":tau=0.5", null);
        assertEquals(0.003, overridden.repMtl().lambdaTsr());
        assertEquals(0.5, overridden.repMtl().tau(), "explicit values override the file's");
    }

    @Test
    void aPbtScheduleGivesTheLambdasByEpoch(@TempDir Path dir) {
        Path file = dir.resolve("best-schedule.json");
        RepMtlSchedule schedule = new RepMtlSchedule(List.of(new RepMtlSchedule.Segment(0, 0.9, 0.9, 0.5), new RepMtlSchedule.Segment(1, 0.1, 0.2, 0.25)));
        schedule.save(file);
        CompareMethod m = CompareMethod.parse("uw+rep-mtl:schedule:csaVariant=infonce", null, file);
        assertEquals("uw+rep-mtl:schedule:csaVariant=infonce", m.label());
        assertEquals(schedule, m.schedule());
        assertEquals(file, m.scheduleFile());
        assertEquals(CsaVariant.INFONCE, m.repMtl().csaVariant());
        JsonNode d = m.describe(new ObjectMapper()).get("repMtl");
        assertEquals(2, d.get("schedule").get("segments").size(), d.toString());
        assertFalse(d.has("lambdaTsr"), "a schedule's method is described by its schedule, not by constants: " + d);
        assertEquals(schedule, CompareMethod.parse("rep-mtl:schedule=" + file, null).schedule());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> CompareMethod.parse("rep-mtl:schedule:lambdaTsr=0.1", null, file));
        assertTrue(both.getMessage().contains("schedule holds lambdaTsr, lambdaCsa and tau by epoch; give it or lambdaTsr, not both"), both.getMessage());
        rejects("rep-mtl:schedule", "schedule needs --lambda-schedule FILE (or schedule=FILE)");
    }

    private static void rejects(String method, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompareMethod.parse(method, null), method);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void badSpellingsNameTheProblem() {
        rejects("nope", "unknown method 'nope': 'nope' is neither stl, rep-mtl nor a strategy [ew, ");
        rejects("uw+pcgrad", "names two strategies");
        rejects("rep-mtl+rep-mtl", "names rep-mtl twice");
        rejects("stl+rep-mtl", "stl (the single-task baselines) stands alone");
        rejects("ew+uw+rep-mtl", "at most one strategy and rep-mtl");
        rejects("rep-mtl:lambda=1", "unknown Rep-MTL key 'lambda'; valid: [lambdaTsr, lambdaCsa, tau, csaVariant, logTransform, config, schedule]");
        rejects("rep-mtl:lambdaTsr=abc", "lambdaTsr must be a number, got 'abc'");
        rejects("rep-mtl:lambdaTsr", "lambdaTsr needs a value");
        rejects("rep-mtl:tau=0", "tau must be finite and > 0");
        rejects("rep-mtl:config", "config needs --config FILE (or config=FILE)");
        rejects("rep-mtl:logTransform=maybe", "logTransform must be true or false");
        rejects("cagrad:nope=1", "method 'cagrad:nope=1': ");
        rejects("pcgrad:gradientMode=sideways", "unknown gradient mode 'sideways'");
        rejects("ew::", "empty option");
        rejects("", "--methods has an empty entry");
    }
}
