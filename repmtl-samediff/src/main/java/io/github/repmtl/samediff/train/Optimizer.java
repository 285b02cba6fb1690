package io.github.repmtl.samediff.train;

import java.io.Serializable;
import java.util.Locale;

/**
 * Optimiser settings with PyTorch semantics: Adam (L2 weight decay added to the gradient), AdamW (decoupled
 * decay) and SGD with momentum ({@code v = mu v + g; p -= lr v}).
 */
public record Optimizer(Type type, double learningRate, double beta1, double beta2, double epsilon, double momentum,
                        double weightDecay, LearningRateSchedule schedule, String scheduleDescription) implements Serializable {
    public enum Type { ADAM, ADAMW, SGD }

    public Optimizer {
        if (type == null) throw new IllegalArgumentException("optimizer type is null");
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (schedule == null) throw new IllegalArgumentException("schedule is null");
    }

    public static Optimizer adam(double lr) { return new Optimizer(Type.ADAM, lr, 0.9, 0.999, 1e-8, 0, 0, LearningRateSchedule.constant(), "constant"); }

    public static Optimizer adamW(double lr, double weightDecay) {
        return new Optimizer(Type.ADAMW, lr, 0.9, 0.999, 1e-8, 0, weightDecay, LearningRateSchedule.constant(), "constant");
    }

    public static Optimizer sgd(double lr, double momentum) {
        return new Optimizer(Type.SGD, lr, 0, 0, 0, momentum, 0, LearningRateSchedule.constant(), "constant");
    }

    public Optimizer withWeightDecay(double wd) {
        return new Optimizer(type, learningRate, beta1, beta2, epsilon, momentum, wd, schedule, scheduleDescription);
    }

    /** Step schedule: multiply the rate by {@code gamma} every {@code every} epochs. */
    public Optimizer withStepSchedule(int every, double gamma) {
        return new Optimizer(type, learningRate, beta1, beta2, epsilon, momentum, weightDecay, LearningRateSchedule.step(every, gamma),
                String.format(Locale.ROOT, "step(%d, %s)", every, gamma));
    }

    public Optimizer withCosineSchedule(int totalEpochs) {
        return new Optimizer(type, learningRate, beta1, beta2, epsilon, momentum, weightDecay, LearningRateSchedule.cosine(totalEpochs, 0.0),
                "cosine(" + totalEpochs + ")");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(lr=%s, weightDecay=%s%s, schedule=%s)", type.name().toLowerCase(Locale.ROOT), learningRate,
                weightDecay, type == Type.SGD ? ", momentum=" + momentum : "", scheduleDescription);
    }
}
