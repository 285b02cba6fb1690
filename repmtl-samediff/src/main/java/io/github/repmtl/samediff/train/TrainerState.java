package io.github.repmtl.samediff.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.Map;

/**
 * Everything a training run carries from one step to the next, as a checkpoint saves it (without the run's log and
 * configuration): the trainable parameters, the running statistics (batch norm), the optimiser's state and step
 * count, the strategy's state and the trainer's step counter. {@link MultiTaskTrainer#state()} takes a copy,
 * {@link MultiTaskTrainer#restoreState} sets one; a distributed trainer ships it to its workers.
 */
public record TrainerState(Map<String, INDArray> parameters, Map<String, INDArray> statistics, Map<String, INDArray> optimizer,
                           long optimizerSteps, Map<String, Object> strategy, long step) implements Serializable {
    public TrainerState {
        if (parameters == null || statistics == null || optimizer == null || strategy == null)
            throw new IllegalArgumentException("trainer state needs parameters, statistics, optimizer and strategy maps (empty when there are none)");
    }
}
