package io.github.repmtl.samediff.metrics;

import java.util.Collection;
import java.util.Optional;

/**
 * Computes Delta-p for successive evaluations of one run, either against fixed baselines (e.g. the paper's
 * single-task results) or against the run's own first evaluation (LibMTL's behaviour when no single-task
 * results are given: the epoch-0 evaluation becomes the reference and its own Delta-p is 0).
 */
public final class DeltaPTracker {
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

    /** Delta-p of one evaluation; in first-evaluation mode the first call sets the baseline. */
    public DeltaP compute(Collection<TaskResult> results) {
        if (baselines == null) baselines = Baselines.fromResults(FIRST_EVALUATION, results);
        return DeltaP.compute(results, baselines);
    }

    /** The baselines in use; empty before the first evaluation in first-evaluation mode. */
    public Optional<Baselines> baselines() { return Optional.ofNullable(baselines); }
}
