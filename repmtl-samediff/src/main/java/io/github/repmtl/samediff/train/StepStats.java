package io.github.repmtl.samediff.train;

import java.io.Serializable;
import java.util.Map;

/**
 * What one training step did: the task losses the trainer computed itself (SameDiff M2.1's listener values
 * are wrong), the Rep-MTL terms ({@code NaN} without Rep-MTL), the objective, the task weights, the learning
 * rate and the step time split into graph executions (forward + backward), strategy (gradient rows, solver and the
 * combined gradient) and update.
 */
public record StepStats(int epoch, long step, int batch, int batchesInEpoch, Map<String, Double> taskLosses, double tsr,
                        double csa, double objective, double[] weights, double learningRate, double forwardBackwardMs,
                        double strategyMs, double updateMs) implements Serializable {
    /** The same step numbered as batch {@code batch} of {@code batchesInEpoch} in its epoch. */
    public StepStats atBatch(int batch, int batchesInEpoch) {
        return new StepStats(epoch, step, batch, batchesInEpoch, taskLosses, tsr, csa, objective, weights, learningRate, forwardBackwardMs, strategyMs, updateMs);
    }
}
