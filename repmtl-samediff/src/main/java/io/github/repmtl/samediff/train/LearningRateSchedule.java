package io.github.repmtl.samediff.train;

import java.io.Serializable;

/** Learning rate as a function of the epoch (0-based), PyTorch {@code lr_scheduler} style. */
@FunctionalInterface
public interface LearningRateSchedule extends Serializable {
    double learningRate(double base, int epoch);

    static LearningRateSchedule constant() { return (base, epoch) -> base; }

    /** Multiplies by {@code gamma} every {@code stepEpochs} epochs (LibMTL default: 0.5 every 100). */
    static LearningRateSchedule step(int stepEpochs, double gamma) {
        if (stepEpochs < 1 || !(gamma > 0)) throw new IllegalArgumentException("step schedule needs stepEpochs >= 1 and gamma > 0");
        return (base, epoch) -> base * Math.pow(gamma, epoch / stepEpochs);
    }

    /** Cosine annealing from the base rate to {@code minFactor * base} over {@code totalEpochs}. */
    static LearningRateSchedule cosine(int totalEpochs, double minFactor) {
        if (totalEpochs < 1) throw new IllegalArgumentException("cosine schedule needs totalEpochs >= 1");
        return (base, epoch) -> {
            double progress = Math.min(epoch, totalEpochs) / (double) totalEpochs;
            return base * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        };
    }
}
