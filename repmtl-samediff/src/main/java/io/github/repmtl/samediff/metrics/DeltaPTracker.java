package io.github.repmtl.samediff.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Optional;

/**
 * Computes Delta-p for successive evaluations of one run, either against fixed baselines (e.g. the paper's
 * single-task results) or against the run's own first evaluation (LibMTL's behaviour when no single-task
 * results are given: the epoch-0 evaluation becomes the reference and its own Delta-p is 0).
 *
 * <p>Delta-p divides by the reference, so a first evaluation with a metric of 0 (an untrained model's accuracy,
 * or its share of normals within 11.25 degrees) cannot be the reference: its Delta-p is undefined (empty, with a
 * warning naming the metric) and the next evaluation is tried, until one has every metric non-zero.
 */
public final class DeltaPTracker {
    private static final Logger log = LoggerFactory.getLogger(DeltaPTracker.class);
    private static final String FIRST_EVALUATION = "first evaluation";

    private Baselines baselines;

    private DeltaPTracker(Baselines baselines) { this.baselines = baselines; }

    /** Compare every evaluation with fixed baselines. */
    public static DeltaPTracker against(Baselines baselines) {
        if (baselines == null) throw new IllegalArgumentException("baselines must not be null; use againstFirstEvaluation() for the epoch-0 reference");
        return new DeltaPTracker(baselines);
    }

    /** Take the first evaluation passed to {@link #compute} as the baseline of all later ones. */
    public static DeltaPTracker againstFirstEvaluation() { return new DeltaPTracker(null); }

    /**
     * Delta-p of one evaluation; in first-evaluation mode the first call with every metric finite and non-zero
     * sets the baseline, and earlier calls return empty.
     */
    public Optional<DeltaP> compute(Collection<TaskResult> results) {
        if (baselines == null) {
            for (TaskResult r : results)
                for (var e : r.values().entrySet())
                    if (!Double.isFinite(e.getValue()) || e.getValue() == 0) {
                        log.warn("Delta-p undefined for this evaluation: task '{}' metric '{}' is {}, which cannot be the reference; "
                                + "the next evaluation with every metric non-zero becomes it", r.task(), e.getKey(), e.getValue());
                        return Optional.empty();
                    }
            baselines = Baselines.fromResults(FIRST_EVALUATION, results);
        }
        return Optional.of(DeltaP.compute(results, baselines));
    }

    /** The baselines in use; empty before the first evaluation in first-evaluation mode. */
    public Optional<Baselines> baselines() { return Optional.ofNullable(baselines); }
}
