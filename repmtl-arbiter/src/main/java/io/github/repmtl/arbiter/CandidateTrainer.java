package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.train.EpochSummary;
import io.github.repmtl.samediff.train.ModelSelection;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.TrainingResult;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Trains one candidate from scratch with the project's {@link MultiTaskTrainer}: a fresh model from the factory
 * (Rep-MTL mutates the graph it attaches to, so a model is never reused), fresh iterators, the candidate's Rep-MTL
 * settings, learning rate and strategy, a fixed budget of epochs (optionally of at most so many steps each) and
 * seed; then evaluates it on the whole validation split.
 */
final class CandidateTrainer {
    private final Supplier<MultiTaskModel> models;
    private final SearchData data;
    private final Baselines baselines;
    private final int epochs;
    private final DoubleFunction<Optimizer> optimizer;
    private final ModelSelection selection;
    private final UnaryOperator<RepMtl.Builder> repMtlSetup;
    private final Integer maxStepsPerEpoch;
    private final long seed;

    /**
     * @param maxStepsPerEpoch training batches per epoch at most, {@code null} for whole epochs
     */
    CandidateTrainer(Supplier<MultiTaskModel> models, SearchData data, Baselines baselines, int epochs, Integer maxStepsPerEpoch,
                     DoubleFunction<Optimizer> optimizer, ModelSelection selection, UnaryOperator<RepMtl.Builder> repMtlSetup, long seed) {
        this.models = models;
        this.data = data;
        this.baselines = baselines;
        this.epochs = epochs;
        this.optimizer = optimizer;
        this.selection = selection;
        this.repMtlSetup = repMtlSetup;
        this.maxStepsPerEpoch = maxStepsPerEpoch;
        this.seed = seed;
    }

    CandidateEvaluation train(RepMtlCandidate proposed) throws Exception {
        RepMtlCandidate candidate = proposed.validate();
        Nd4j.getRandom().setSeed(seed);                               // same initial weights for every candidate
        MultiTaskModel model = models.get();
        if (model == null) throw new IllegalStateException("the model factory returned null");
        try (CandidateData d = data.create()) {
            if (d == null) throw new IllegalStateException("the data factory returned null");
            MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(model)
                    .repMtl(repMtlSetup.apply(candidate.repMtl(model)).build())
                    .optimizer(optimizer.apply(candidate.learningRate()))
                    .epochs(epochs).seed(seed).selection(selection);
            // equal weighting is the trainer's default; passing it explicitly would cost a loss-only forward pass per step
            if (!candidate.usesEqualWeighting()) b.strategy(Strategies.create(candidate.strategy(), model.taskNames(), Map.of()));
            if (baselines != null) b.baselines(baselines);
            if (d.isMultiInput()) b.trainPerTask(d.trainPerTask().stream().map(this::limited).toList()).validationPerTask(d.validationPerTask());
            else b.train(limited(d.train())).validation(d.validation());
            TrainingResult result = b.build().fit();
            List<Integer> chosen = result.selectedEpochs();
            int metricsEpoch = chosen.isEmpty() ? result.epochs().size() - 1 : chosen.get(chosen.size() - 1);
            EpochSummary summary = result.epochs().get(metricsEpoch);
            return new CandidateEvaluation(chosen, baselines == null ? Double.NaN : result.selectedDeltaP(), metricsEpoch,
                    summary.validation(), baselines == null ? null : summary.validationDeltaP(), ValidationLoss.perTask(model, d));
        }
    }

    private MultiDataSetIterator limited(MultiDataSetIterator train) {
        return maxStepsPerEpoch == null ? train : new BatchLimitedIterator(train, maxStepsPerEpoch);
    }
}
