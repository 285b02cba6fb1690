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
 * Trains the members of a population-based training up to an epoch with the project's {@link MultiTaskTrainer}, each
 * in its own checkpoint directory. A member's first round (and its first after an exploit or a restart) builds a fresh
 * model and fresh iterators with the member's Rep-MTL schedule and {@code resume(true)}, so the trainer continues
 * bitwise from the newest checkpoint there (its own, or the one an exploit copied in) and replays the iterator
 * positions; the model, iterators and trainer are then kept, and the member's next round continues them in memory
 * ({@link MultiTaskTrainer#fit(int)}), which gives the same bits as resuming from the checkpoint the round wrote,
 * without building the graph again. Every member uses the same seed, initial weights and data order; members differ
 * only by their hyperparameters and what they copied. {@link #close()} drops every kept member.
 */
final class PbtMemberTrainer implements AutoCloseable {
    /** Checkpoints kept per member: the newest is what a round resumes from and what exploits copy. */
    static final int KEEP_CHECKPOINTS = 2;

    /** A member's model after training, with the trainer's result and its validation objective. */
    record Trained(MultiTaskModel model, TrainingResult result, double objective) {}

    /** A member kept between rounds: valid while its checkpoint directory holds what its trainer wrote last. */
    private record Live(Path checkpoints, RepMtlSchedule schedule, MultiTaskModel model, CandidateData data, MultiTaskTrainer trainer) {}

    private final Map<Path, Live> live = new java.util.HashMap<>();

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
     * Trains (or, when its checkpoints are already that far, restores) the member of {@code checkpoints} until
     * {@code epochs} epochs are done and measures its objective on the validation split. A failed training drops the
     * kept member.
     */
    Trained train(Path checkpoints, RepMtlSchedule schedule, int epochs) throws Exception {
        Live m = live.get(checkpoints);
        if (m != null && !m.schedule().equals(schedule)) {
            forget(checkpoints);
            m = null;
        }
        if (m == null) {
            Nd4j.getRandom().setSeed(cfg.seed());                      // same initial weights for every member
            MultiTaskModel model = models.get();
            if (model == null) throw new IllegalStateException("the model factory returned null");
            CandidateData d = data.create();
            if (d == null) throw new IllegalStateException("the data factory returned null");
            try {
                m = new Live(checkpoints, schedule, model, d, trainer(model, d, checkpoints, schedule, epochs).build());
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
            live.put(checkpoints, m);
        }
        try {
            TrainingResult result = m.trainer().fit(epochs);
            return new Trained(m.model(), result, objective(m.model(), m.data(), result));
        } catch (Exception e) {
            forget(checkpoints);
            throw e;
        }
    }

    /** Drops the kept member of {@code checkpoints} (its directory is about to change: an exploit copies into it). */
    void forget(Path checkpoints) throws Exception {
        Live m = live.remove(checkpoints);
        if (m != null) m.data().close();
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Path p : List.copyOf(live.keySet())) {
            try {
                forget(p);
            } catch (Exception e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
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
