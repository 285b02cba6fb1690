package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.regularizer.CsaVariant;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepMtlSpaceTest {
    private static final RepMtlScoreFunction MAXIMISE = new RepMtlScoreFunction(SearchObjective.DELTA_P);

    private static RepMtlSpace mixedSpace() {
        return RepMtlSpace.builder().lambdaTsrRange(0.5, 1.5).lambdaCsaRange(0.5, 1.5).tau(0.1, 0.5, 1.0)
                .csaVariant(CsaVariant.PAPER, CsaVariant.INFONCE).logTransform(true, false)
                .learningRateLogRange(1e-4, 1e-2).strategy("ew", "DWA").build();
    }

    private static List<RepMtlCandidate> draw(CandidateGenerator g, int n) {
        List<RepMtlCandidate> out = new ArrayList<>();
        for (int i = 0; i < n && g.hasMoreCandidates(); i++) {
            Candidate c = g.getCandidate();
            assertNull(c.getException(), "candidate generation failed");
            assertEquals(i, c.getIndex());
            out.add((RepMtlCandidate) c.getValue());
        }
        return out;
    }

    @Test
    void paperGridEnumeratesExactlyTheTwentyFivePairs() {
        CandidateGenerator grid = CandidateGenerators.create(SearchGenerator.GRID, RepMtlSpace.paperGrid(), 1, 5, 10, MAXIMISE);
        List<RepMtlCandidate> all = draw(grid, 1000);
        assertEquals(25, all.size());
        assertFalse(grid.hasMoreCandidates());
        Set<List<Double>> pairs = new HashSet<>();
        RepMtlCandidate d = RepMtlCandidate.defaults();
        for (RepMtlCandidate c : all) {
            pairs.add(List.of(c.lambdaTsr(), c.lambdaCsa()));
            assertEquals(new RepMtlCandidate(c.lambdaTsr(), c.lambdaCsa(), d.tau(), d.csaVariant(), d.logTransform(), d.learningRate(), d.strategy()), c);
        }
        Set<List<Double>> expected = new HashSet<>();
        for (double t : new double[]{0.7, 0.9, 1.1, 1.3, 1.5}) for (double c : new double[]{0.7, 0.9, 1.1, 1.3, 1.5}) expected.add(List.of(t, c));
        assertEquals(expected, pairs);
        assertEquals(new RepMtlCandidate(0.7, 0.7, 0.5, CsaVariant.PAPER, true, 1e-3, "ew"), all.get(0));
        assertEquals(new RepMtlCandidate(0.9, 0.7, 0.5, CsaVariant.PAPER, true, 1e-3, "ew"), all.get(1), "lambda_tsr varies fastest");
    }

    @Test
    void gridDiscretisesContinuousRangesAndCrossesDiscreteDimensions() {
        RepMtlSpace space = RepMtlSpace.builder().lambdaTsrRange(0.5, 1.5).csaVariant(CsaVariant.PAPER, CsaVariant.INFONCE).build();
        List<RepMtlCandidate> all = draw(CandidateGenerators.create(SearchGenerator.GRID, space, 1, 3, 10, MAXIMISE), 1000);
        assertEquals(6, all.size());
        Set<List<Object>> seen = new HashSet<>();
        for (RepMtlCandidate c : all) seen.add(List.of(c.lambdaTsr(), c.csaVariant()));
        for (double l : new double[]{0.5, 1.0, 1.5})
            for (CsaVariant v : CsaVariant.values()) assertTrue(seen.contains(List.of(l, v)), l + " " + v + " missing from " + seen);
    }

    @Test
    void randomSearchWithTheSameSeedProposesTheSameCandidates() {
        List<RepMtlCandidate> first = draw(CandidateGenerators.create(SearchGenerator.RANDOM, mixedSpace(), 7, 5, 10, MAXIMISE), 30);
        List<RepMtlCandidate> second = draw(CandidateGenerators.create(SearchGenerator.RANDOM, mixedSpace(), 7, 5, 10, MAXIMISE), 30);
        List<RepMtlCandidate> other = draw(CandidateGenerators.create(SearchGenerator.RANDOM, mixedSpace(), 8, 5, 10, MAXIMISE), 30);
        assertEquals(30, first.size());
        assertEquals(first, second);
        assertNotEquals(first, other);
        Set<Object> variants = new HashSet<>(), strategies = new HashSet<>(), taus = new HashSet<>();
        for (RepMtlCandidate c : first) {
            assertTrue(c.lambdaTsr() >= 0.5 && c.lambdaTsr() <= 1.5, "lambdaTsr " + c.lambdaTsr());
            assertTrue(c.learningRate() >= 1e-4 && c.learningRate() <= 1e-2, "learningRate " + c.learningRate());
            variants.add(c.csaVariant());
            strategies.add(c.strategy());
            taus.add(c.tau());
        }
        assertEquals(Set.of(CsaVariant.PAPER, CsaVariant.INFONCE), variants);
        assertEquals(Set.of("ew", "dwa"), strategies, "names are canonicalised");
        assertEquals(Set.of(0.1, 0.5, 1.0), taus);
    }

    @Test
    void geneticSearchWithTheSameSeedAndScoresProposesTheSameCandidates() {
        List<List<RepMtlCandidate>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            CandidateGenerator g = CandidateGenerators.create(SearchGenerator.GENETIC, mixedSpace(), 3, 5, 6, MAXIMISE);
            List<RepMtlCandidate> proposed = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                Candidate c = g.getCandidate();
                RepMtlCandidate value = (RepMtlCandidate) c.getValue();
                proposed.add(value);
                g.reportResults(new OptimizationResult(c, -Math.abs(value.lambdaTsr() - 1.1), c.getIndex(), null, null, null));
            }
            runs.add(proposed);
        }
        assertEquals(runs.get(0), runs.get(1));
        List<RepMtlCandidate> proposed = runs.get(0);
        Set<Double> randomInitial = new HashSet<>();
        for (int i = 0; i < 4; i++) randomInitial.add(proposed.get(i).lambdaTsr());   // population 6 breeds from 4 members on
        assertEquals(4, randomInitial.size());
        assertTrue(proposed.subList(4, 15).stream().anyMatch(c -> randomInitial.contains(c.lambdaTsr())),
                "offspring inherit genes of the first generation: " + proposed);
    }

    @Test
    void invalidDimensionsAreRejectedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepMtlSpace.builder().lambdaTsr(-0.5, 0.9));
        assertTrue(e.getMessage().contains("lambdaTsr") && e.getMessage().contains("-0.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RepMtlSpace.builder().tau(0.0));
        assertTrue(e.getMessage().contains("tau"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RepMtlSpace.builder().lambdaCsaRange(1.5, 0.5));
        assertTrue(e.getMessage().contains("lambdaCsa") && e.getMessage().contains("min < max"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RepMtlSpace.builder().strategy("ew", "no-such-method"));
        assertTrue(e.getMessage().contains("no-such-method") && e.getMessage().contains("pcgrad"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RepMtlSpace.builder().lambdaTsr(0.9, 0.9));
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test
    void numericDimensionsKnowTheirBounds() {
        RepMtlSpace s = RepMtlSpace.builder().lambdaTsr(1.3, 0.7, 0.9).lambdaCsaLogRange(0.1, 2.0).tauRange(0.2, 1.0).build();
        assertEquals(new ParameterRange(0.7, 1.3, false), s.range("lambdaTsr").orElseThrow());
        assertEquals(new ParameterRange(0.1, 2.0, true), s.range("lambdaCsa").orElseThrow());
        assertEquals(new ParameterRange(0.2, 1.0, false), s.range("tau").orElseThrow());
        assertEquals(ParameterRange.fixed(RepMtlCandidate.DEFAULT_LEARNING_RATE), s.range("learningRate").orElseThrow());
        assertEquals(CsaVariant.PAPER, s.fixedValue("csaVariant").orElseThrow());
        assertEquals(Math.sqrt(0.1 * 2.0), s.range("lambdaCsa").orElseThrow().at(0.5), 1e-12, "log range: the middle is the geometric mean");
        assertEquals(0.6, s.range("tau").orElseThrow().at(0.5), 1e-12);
        RepMtlSpace custom = RepMtlSpace.builder().tau(new org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace(0.1, 1)).build();
        assertTrue(custom.range("tau").isEmpty(), "an arbitrary Arbiter space has no known bounds");
        assertTrue(custom.fixedValue("tau").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> s.range("strategy"));
    }
}
