package io.github.repmtl.samediff.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies {@link Optimizer} updates to parameter arrays in place and owns the optimiser state (moments,
 * momentum buffers, step count), which checkpoints save and restore exactly.
 */
public final class ParameterUpdater {
    private final Optimizer optimizer;
    private final Map<String, INDArray> first = new LinkedHashMap<>();
    private final Map<String, INDArray> second = new LinkedHashMap<>();
    private long steps;

    public ParameterUpdater(Optimizer optimizer) { this.optimizer = optimizer; }

    public Optimizer optimizer() { return optimizer; }

    public long steps() { return steps; }

    /** Starts a new step; every {@link #update} of the step shares its bias correction. */
    public void beginStep() { steps++; }

    /** {@code param -= update(gradient)}; the gradient array is left unchanged. */
    public void update(String name, INDArray param, INDArray gradient, int epoch) {
        double lr = optimizer.schedule().learningRate(optimizer.learningRate(), epoch);
        INDArray g = gradient.castTo(param.dataType());
        double wd = optimizer.weightDecay();
        switch (optimizer.type()) {
            case SGD -> {
                if (wd > 0) g = g.add(param.mul(wd));
                if (optimizer.momentum() > 0) {
                    INDArray v = first.computeIfAbsent(name, k -> param.ulike().assign(0));
                    v.muli(optimizer.momentum()).addi(g);
                    param.subi(v.mul(lr));
                } else {
                    param.subi(g.mul(lr));
                }
            }
            case ADAM, ADAMW -> {
                if (optimizer.type() == Optimizer.Type.ADAM && wd > 0) g = g.add(param.mul(wd));
                if (optimizer.type() == Optimizer.Type.ADAMW && wd > 0) param.muli(1 - lr * wd);
                double b1 = optimizer.beta1(), b2 = optimizer.beta2();
                INDArray m = first.computeIfAbsent(name, k -> param.ulike().assign(0));
                INDArray v = second.computeIfAbsent(name, k -> param.ulike().assign(0));
                m.muli(b1).addi(g.mul(1 - b1));
                v.muli(b2).addi(g.mul(g).muli(1 - b2));
                double c1 = 1 - Math.pow(b1, steps), c2 = 1 - Math.pow(b2, steps);
                INDArray denom = Transforms.sqrt(v.div(c2), true).addi(optimizer.epsilon());
                param.subi(m.div(c1).divi(denom).muli(lr));
            }
        }
    }

    /** Optimiser state for checkpoints: arrays keyed {@code first/<param>} and {@code second/<param>}. */
    public Map<String, INDArray> state() {
        Map<String, INDArray> s = new LinkedHashMap<>();
        first.forEach((k, v) -> s.put("first/" + k, v));
        second.forEach((k, v) -> s.put("second/" + k, v));
        return s;
    }

    public void restore(Map<String, INDArray> state, long steps) {
        first.clear();
        second.clear();
        state.forEach((k, v) -> {
            if (k.startsWith("first/")) first.put(k.substring(6), v.dup());
            else if (k.startsWith("second/")) second.put(k.substring(7), v.dup());
            else throw new IllegalArgumentException("unknown optimiser state entry '" + k + "'");
        });
        this.steps = steps;
    }
}
