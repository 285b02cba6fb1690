package io.github.repmtl.arbiter;

import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Arbiter's task creator for Rep-MTL candidates. A candidate already recorded in the output directory (by an
 * earlier, interrupted run of the same search) is replayed from its record without training, so the generator
 * sees the same results and the run continues where the earlier one stopped. Any other candidate is trained and
 * scored; an exception (or running out of heap) is caught and recorded as a failed candidate, so the search goes
 * on. Each record is stored before its result is handed back to Arbiter.
 */
final class RepMtlTaskCreator implements TaskCreator {
    private static final Logger log = LoggerFactory.getLogger(RepMtlTaskCreator.class);

    private final ResultStore store;
    private final CandidateTrainer trainer;
    private final RepMtlScoreFunction scoreFunction;

    RepMtlTaskCreator(ResultStore store, CandidateTrainer trainer, RepMtlScoreFunction scoreFunction) {
        this.store = store;
        this.trainer = trainer;
        this.scoreFunction = scoreFunction;
    }

    @Override
    public Callable<OptimizationResult> create(Candidate candidate, DataProvider dataProvider, ScoreFunction score,
                                               List<StatusListener> listeners, IOptimizationRunner runner) {
        return create(candidate, listeners, runner);
    }

    @Override
    public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> dataSource, Properties dataSourceProperties,
                                               ScoreFunction score, List<StatusListener> listeners, IOptimizationRunner runner) {
        return create(candidate, listeners, runner);
    }

    /**
     * Runs on Arbiter's scheduling thread, so a record that contradicts the proposed candidate stops the search.
     *
     * @throws IllegalStateException when the output directory records a different configuration for this index
     */
    private Callable<OptimizationResult> create(Candidate candidate, List<StatusListener> listeners, IOptimizationRunner runner) {
        int index = candidate.getIndex();
        RepMtlCandidate proposed = (RepMtlCandidate) candidate.getValue();
        Optional<CandidateRecord> done = store.get(index);
        if (done.isPresent()) {
            if (!done.get().candidate().equals(proposed))
                throw new IllegalStateException("candidate " + index + " was " + done.get().candidate() + " in the earlier run recorded in "
                        + store.recordFile(index) + ", but the generator now proposes " + proposed
                        + ": the search, its seed or its space changed; use a new output directory");
            return () -> replay(candidate, done.get());
        }
        return () -> train(candidate, proposed, listeners, runner);
    }

    private OptimizationResult replay(Candidate candidate, CandidateRecord record) {
        log.info("candidate {} {}: recorded earlier as {}{}", record.index(), record.candidate(), record.status(),
                record.isCompleted() ? ", score " + record.score() : "");
        long now = System.currentTimeMillis();
        return result(candidate, record, now, now);
    }

    private OptimizationResult train(Candidate candidate, RepMtlCandidate proposed, List<StatusListener> listeners, IOptimizationRunner runner) {
        int index = candidate.getIndex();
        long start = System.currentTimeMillis();
        CandidateInfo running = new CandidateInfo(index, CandidateStatus.Running, null, start, start, null, candidate.getFlatParameters(), null);
        for (StatusListener l : listeners) l.onCandidateStatusChange(running, runner, null);
        log.info("candidate {} {}: training", index, proposed);
        CandidateRecord record;
        try {
            CandidateEvaluation evaluation = trainer.train(proposed);
            double score = scoreFunction.score(evaluation);
            record = CandidateRecord.completed(index, proposed, scoreFunction.objective(), score, evaluation, seconds(start), Instant.now());
            log.info("candidate {}: {} = {} ({} s)", index, scoreFunction.objective(), score, String.format(Locale.ROOT, "%.1f", record.seconds()));
        } catch (Exception | OutOfMemoryError e) {
            record = CandidateRecord.failed(index, proposed, scoreFunction.objective(), e, seconds(start), Instant.now());
            log.warn("candidate {} {} failed; the search continues", index, proposed, e);
        }
        store.add(record);
        OptimizationResult result = result(candidate, record, start, System.currentTimeMillis());
        for (StatusListener l : listeners) l.onCandidateStatusChange(result.getCandidateInfo(), runner, result);
        return result;
    }

    private static OptimizationResult result(Candidate candidate, CandidateRecord record, long start, long end) {
        CandidateInfo info = new CandidateInfo(record.index(), record.isCompleted() ? CandidateStatus.Complete : CandidateStatus.Failed,
                record.score(), start, start, end, candidate.getFlatParameters(), record.stackTrace());
        return new OptimizationResult(candidate, record.score(), record.index(), record, info, null);
    }

    private static double seconds(long startMillis) { return (System.currentTimeMillis() - startMillis) / 1000.0; }
}
