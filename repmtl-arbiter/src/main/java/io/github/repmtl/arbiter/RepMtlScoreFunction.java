package io.github.repmtl.arbiter;

import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Arbiter's score function for Rep-MTL candidates. The "model" it scores is the {@link CandidateEvaluation} of a
 * trained candidate, which already holds everything measured on the validation split, so the data arguments of
 * Arbiter's interface are not used: Delta-p_task (maximised) or the validation loss (minimised), see
 * {@link SearchObjective}.
 */
final class RepMtlScoreFunction implements ScoreFunction {
    private final SearchObjective objective;

    RepMtlScoreFunction(SearchObjective objective) { this.objective = objective; }

    SearchObjective objective() { return objective; }

    /**
     * @throws IllegalStateException when the score is not finite (the candidate is then recorded as failed)
     */
    double score(CandidateEvaluation evaluation) {
        double s = objective == SearchObjective.DELTA_P ? evaluation.selectedDeltaP() : evaluation.validationLoss();
        if (!Double.isFinite(s)) throw new IllegalStateException(objective + " score is " + s);
        return s;
    }

    @Override
    public double score(Object model, DataProvider dataProvider, Map<String, Object> dataParameters) { return score(evaluation(model)); }

    @Override
    public double score(Object model, Class<? extends DataSource> dataSource, Properties dataSourceProperties) { return score(evaluation(model)); }

    @Override
    public boolean minimize() { return objective.minimize(); }

    @Override
    public List<Class<?>> getSupportedModelTypes() { return List.of(CandidateEvaluation.class); }

    @Override
    public List<Class<?>> getSupportedDataTypes() { return List.of(MultiDataSetIterator.class); }

    private static CandidateEvaluation evaluation(Object model) {
        if (model instanceof CandidateEvaluation e) return e;
        throw new IllegalArgumentException("Rep-MTL score function scores CandidateEvaluation results, got "
                + (model == null ? "null" : model.getClass().getName()));
    }

    @Override
    public String toString() { return "RepMtlScoreFunction(" + objective + ")"; }
}
