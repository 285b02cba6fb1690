package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.TaskResult;

import java.util.List;
import java.util.Map;

/**
 * What training one candidate produced, all on the validation split: the epochs the trainer's model selection
 * chose and their Delta-p, the metrics and Delta-p of the last chosen epoch, and the per-task validation losses
 * after the last epoch.
 *
 * @param selectedEpochs   the epochs chosen by the model selection
 * @param selectedDeltaP   the Delta-p_task they stand for ({@code NaN} without baselines)
 * @param metricsEpoch     the epoch of {@code metrics} and {@code deltaP}
 * @param metrics          per-task validation metrics of {@code metricsEpoch}
 * @param deltaP           Delta-p of {@code metricsEpoch} against the baselines, {@code null} without baselines
 * @param validationLosses mean validation loss per task after the last epoch
 */
record CandidateEvaluation(List<Integer> selectedEpochs, double selectedDeltaP, int metricsEpoch, Map<String, TaskResult> metrics,
                           DeltaP deltaP, Map<String, Double> validationLosses) {

    /** The sum of the per-task validation losses (the equal-weighted multi-task loss). */
    double validationLoss() {
        return validationLosses.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
