package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.TaskResult;

import java.util.Map;

/**
 * One epoch: mean training losses per task, validation and test metrics with their Delta-p ({@code null}
 * where that split is not evaluated), the epoch's wall time and seconds per phase.
 */
public record EpochSummary(int epoch, Map<String, Double> trainLosses, Map<String, TaskResult> validation, DeltaP validationDeltaP,
                           Map<String, TaskResult> test, DeltaP testDeltaP, double seconds) {}
