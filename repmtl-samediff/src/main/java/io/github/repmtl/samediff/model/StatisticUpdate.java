package io.github.repmtl.samediff.model;

/**
 * A non-trainable running statistic (e.g. a batch-norm running mean or variance) that the trainer updates
 * after every training step, PyTorch style: {@code variable = (1 - momentum) * variable + momentum * batchValue},
 * where {@code batchValue} is a graph variable holding this batch's statistic.
 */
public record StatisticUpdate(String variable, String batchValue, double momentum) {
    public StatisticUpdate {
        if (variable == null || batchValue == null) throw new IllegalArgumentException("statistic update needs both variable names");
        if (!(momentum > 0 && momentum <= 1)) throw new IllegalArgumentException("momentum must be in (0, 1], got " + momentum + " for " + variable);
    }
}
