package io.github.repmtl.arbiter;

import org.deeplearning4j.arbiter.optimize.api.termination.TerminationCondition;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;

/**
 * Ends a search when its candidate generator has nothing left to propose (a finished grid, or a genetic search
 * that cannot breed a new candidate) and no candidate is running. Arbiter's runner would otherwise keep polling.
 */
final class GeneratorExhaustedCondition implements TerminationCondition {

    @Override
    public void initialize(IOptimizationRunner runner) {
        // stateless: the generator and the runner are asked on every check
    }

    @Override
    public boolean terminate(IOptimizationRunner runner) {
        return !runner.getConfiguration().getCandidateGenerator().hasMoreCandidates() && runner.numCandidatesQueued() == 0;
    }

    @Override
    public String toString() { return "GeneratorExhaustedCondition"; }
}
