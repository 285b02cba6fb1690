package io.github.repmtl.samediff.strategy.support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) for the few scalars a strategy learns itself (UW and IMTL-L loss scales, GradNorm
 * weights, FAMO logits), with PyTorch's conventions: bias-corrected moments, {@code eps} added to the square
 * root, and L2 weight decay added to the gradient ({@code torch.optim.Adam(weight_decay=...)}).
 */
public final class Adam implements java.io.Serializable {
    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private double[] firstMoment;
    private double[] secondMoment;
    private long steps;

    /** Adam with betas (0.9, 0.999) and epsilon 1e-8. */
    public Adam(int size, double learningRate, double weightDecay) {
        this(size, learningRate, 0.9, 0.999, 1e-8, weightDecay);
    }

    public Adam(int size, double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.firstMoment = new double[size];
        this.secondMoment = new double[size];
    }

    /** One update of {@code parameters} in place, given the gradient of the objective w.r.t. them. */
    public void step(double[] parameters, double[] gradient) {
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps);
        double correction2 = 1 - Math.pow(beta2, steps);
        for (int i = 0; i < parameters.length; i++) {
            double g = gradient[i] + weightDecay * parameters[i];
            firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g;
            secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g;
            double mHat = firstMoment[i] / correction1;
            double vHat = secondMoment[i] / correction2;
            parameters[i] -= learningRate * mHat / (Math.sqrt(vHat) + epsilon);
        }
    }

    /** Moments and step count. */
    public Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("steps", steps);
        state.put("firstMoment", firstMoment.clone());
        state.put("secondMoment", secondMoment.clone());
        return state;
    }

    /** Restores {@link #state()}. */
    public void restore(StateReader state) {
        long restoredSteps = state.longValue("steps");
        double[] m = state.vector("firstMoment", firstMoment.length);
        double[] v = state.vector("secondMoment", secondMoment.length);
        this.steps = restoredSteps;
        this.firstMoment = m;
        this.secondMoment = v;
    }
}
