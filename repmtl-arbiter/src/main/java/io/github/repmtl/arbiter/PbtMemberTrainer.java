package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.train.EpochSummary;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.TrainingResult;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Trains one member of a population-based training up to an epoch with the project's {@link MultiTaskTrainer},
 * from the member's own checkpoint directory: a fresh model and fresh iterators, the member's Rep-MTL schedule,
 * {@code resume(true)}, so the trainer continues bitwise from the newest checkpoint there (its own, or the one an
 * exploit copied in) and replays the iterator positions. Every member uses the same seed, initial weights and data
 * order; members differ only by their hyperparameters and what they copied.
 */
final class PbtMemberTrainer {
    /** Checkpoints kept per member: the newest is what a round resumes from and what exploits copy. */
    static final int KEEP_CHECKPOINTS = 2;

    /** A member's model after training, with the trainer's result and its validation objective. */
    record Trained(MultiTaskModel model, TrainingResult result, double objective) {}

    private final Supplier<MultiTaskModel> models;
    private final SearchData data;
    private final Baselines baselines;
    private final DoubleFunction<Optimizer> optimizer;
    private final UnaryOperator<RepMtl.Builder> repMtlSetup;
    private final Integer maxStepsPerEpoch;
    private final PbtConfig cfg;

    PbtMemberTrainer(Supplier<MultiTaskModel> models, SearchData data, Baselines baselines, DoubleFunction<Optimizer> optimizer,
                     UnaryOperator<RepMtl.Builder> repMtlSetup, Integer maxStepsPerEpoch, PbtConfig cfg) {
        this.models = models;
        this.data = data;
        this.baselines = baselines;
        this.optimizer = optimizer;
        this.repMtlSetup = repMtlSetup;
        this.maxStepsPerEpoch = maxStepsPerEpoch;
        this.cfg = cfg;
    }

    /** Member directories under a PBT output directory. */
    static Path checkpointDir(Path outputDir, int member) {
        return outputDir.resolve("members").resolve(String.format(java.util.Locale.ROOT, "member-%02d", member)).resolve("checkpoints");
    }

    /**
     * Trains (or, when its checkpoints are already that far, restores) the member until {@code epochs} epochs are done
     * and measures its objective on the validation split.
     */
    Trained train(Path checkpoints, RepMtlSchedule schedule, int epochs) throws Exception {
        Nd4j.getRandom().setSeed(cfg.seed());                          // same initial weights for every member
        MultiTaskModel model = models.get();
        if (model == null) throw new IllegalStateException("the model factory returned null");
        try (CandidateData d = data.create()) {
            if (d == null) throw new IllegalStateException("the data factory returned null");
            TrainingResult result = trainer(model, d, checkpoints, schedule, epochs).build().fit();
            return new Trained(model, result, objective(model, d, result));
        }
    }

    /** The trainer of a member: what {@link #train} runs (tests restore states with it). */
    MultiTaskTrainer.Builder trainer(MultiTaskModel model, CandidateData d, Path checkpoints, RepMtlSchedule schedule, int epochs) {
        RepMtlCandidate t = cfg.template();
        RepMtl.Builder rep = RepMtl.builder(model).schedule(schedule).csaVariant(t.csaVariant()).logTransform(t.logTransform());
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(model).repMtl(repMtlSetup.apply(rep).build())
                .optimizer(optimizer.apply(t.learningRate())).epochs(epochs).seed(cfg.seed())
                .checkpoints(checkpoints, KEEP_CHECKPOINTS).resume(true);
        // equal weighting is the trainer's default; passing it explicitly would cost a loss-only forward pass per step
        if (!t.usesEqualWeighting()) b.strategy(Strategies.create(t.strategy(), model.taskNames(), Map.of()));
        if (baselines != null) b.baselines(baselines);
        if (d.isMultiInput()) b.trainPerTask(d.trainPerTask().stream().map(this::limited).toList()).validationPerTask(d.validationPerTask());
        else b.train(limited(d.train())).validation(d.validation());
        return b;
    }

    /** Delta-p_task of the last epoch, or the sum of the mean validation task losses; {@code NaN} when undefined. */
    private double objective(MultiTaskModel model, CandidateData d, TrainingResult result) {
        double v;
        if (cfg.objective() == SearchObjective.DELTA_P) {
            List<EpochSummary> epochs = result.epochs();
            EpochSummary last = epochs.get(epochs.size() - 1);
            v = last.validationDeltaP() == null ? Double.NaN : last.validationDeltaP().taskAveraged();
        } else {
            v = ValidationLoss.perTask(model, d).values().stream().mapToDouble(Double::doubleValue).sum();
        }
        return Double.isFinite(v) ? v : Double.NaN;
    }

    private MultiDataSetIterator limited(MultiDataSetIterator train) {
        return maxStepsPerEpoch == null ? train : new BatchLimitedIterator(train, maxStepsPerEpoch);
    }
}
