package io.github.repmtl.samediff.strategy.support;

import java.util.Map;

/**
 * IMTL-L's learnable loss scales (Liu et al. 2021), shared by IMTL-L and IMTL: per task a scale {@code s_t}
 * (initially 0) weighting the loss by {@code exp(s_t)}, trained by Adam on {@code exp(s_t) L_t - s_t}, whose
 * gradient is {@code exp(s_t) L_t - 1}. State keys: {@code scales}, {@code adam}.
 */
public final class LossScales implements java.io.Serializable {
    private double[] scales;
    private final Adam optimizer;

    public LossScales(int tasks, double learningRate) {
        this.scales = new double[tasks];
        this.optimizer = new Adam(tasks, learningRate, 0);
    }

    /** The loss factors {@code exp(s_t)} at the current scales. */
    public double[] factors() {
        double[] f = new double[scales.length];
        for (int t = 0; t < f.length; t++) f[t] = Math.exp(scales[t]);
        return f;
    }

    /** {@code d/ds_t [exp(s_t) L_t - s_t] = exp(s_t) L_t - 1} at the current scales. */
    public double[] gradient(double[] losses) {
        double[] g = new double[scales.length];
        for (int t = 0; t < g.length; t++) g[t] = Math.exp(scales[t]) * losses[t] - 1;
        return g;
    }

    /** One Adam step of the scales on the given task losses. */
    public void step(double[] losses) {
        optimizer.step(scales, gradient(losses));
    }

    /** The current scales {@code s_t}. */
    public double[] scales() {
        return scales.clone();
    }

    public void save(Map<String, Object> state) {
        state.put("scales", scales.clone());
        state.put("adam", optimizer.state());
    }

    public void load(StateReader state) {
        double[] s = state.vector("scales", scales.length);
        optimizer.restore(state.map("adam"));
        scales = s;
    }
}
