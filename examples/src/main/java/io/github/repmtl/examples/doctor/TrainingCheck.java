package io.github.repmtl.examples.doctor;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.StepStats;
import io.github.repmtl.zoo.HpsLeNet;
import io.github.repmtl.zoo.HpsResNet;
import io.github.repmtl.zoo.ResNetTrunk;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A few float32 Rep-MTL (EW) training steps of a zoo model on synthetic data, built to give the same losses on
 * every backend: the batch comes from {@link java.util.Random} with a fixed seed, the parameters are
 * re-initialised from {@link java.util.Random} too (ND4J's native generator is not guaranteed to draw the same
 * numbers on CPU and CUDA), dropout is off, and the optimiser is plain SGD (no Adam normalisation that would
 * amplify rounding differences of near-zero gradients).
 */
public final class TrainingCheck {
    /** The models a check can run: {@code lenet} (HpsLeNet) and {@code resnet18} (HpsResNet-18). */
    public static final List<String> MODELS = List.of("lenet", "resnet18");
    static final long SEED = 17;
    /**
     * SGD step sizes, small enough that float32 rounding differences between backends do not grow past the
     * tolerance within a few steps (measured on CPU: a 1e-6 relative change of the initial weights moves the
     * third step's values by 1e-6 for HpsLeNet at 1e-3, and by 8e-4 for HpsResNet-18 at 1e-3, hence its 1e-4).
     */
    static final double LENET_LEARNING_RATE = 1e-3, RESNET_LEARNING_RATE = 1e-4;

    /** One step: its wall time (the first includes building the gradient function) and the trainer's values. */
    public record Step(int step, double ms, Map<String, Double> taskLosses, double tsr, double csa, double objective) {
        /** The compared values by name: every task loss, then {@code tsr}, {@code csa}, {@code objective}. */
        public Map<String, Double> values() {
            Map<String, Double> v = new LinkedHashMap<>(taskLosses);
            v.put("tsr", tsr);
            v.put("csa", csa);
            v.put("objective", objective);
            return v;
        }
    }

    private TrainingCheck() {}

    /** Runs {@code steps} steps of {@code model} on the active backend, float32. */
    public static List<Step> run(String model, int steps) {
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        DataType oldDefault = Nd4j.dataType(), oldFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        try {
            MultiTaskModel m;
            MultiDataSet batch;
            double learningRate;
            switch (model) {
                case "lenet" -> {
                    m = HpsLeNet.builder().seed(SEED).dropout(false)
                            .tasks(List.of(TaskSpec.classification("left", 10), TaskSpec.classification("right", 10))).init();
                    batch = batch(32, 1, 36, 36, 10, 2);
                    learningRate = LENET_LEARNING_RATE;
                }
                case "resnet18" -> {
                    m = HpsResNet.builder().depth(ResNetTrunk.Depth.RESNET18).inputShape(3, 64, 64).seed(SEED).dropout(false)
                            .tasks(List.of(TaskSpec.classification("amazon", 31), TaskSpec.classification("dslr", 31),
                                    TaskSpec.classification("webcam", 31))).init();
                    batch = batch(8, 3, 64, 64, 31, 3);
                    learningRate = RESNET_LEARNING_RATE;
                }
                default -> throw new IllegalArgumentException("unknown model '" + model + "'; available: " + String.join(", ", MODELS));
            }
            reinitialise(m);
            MultiTaskTrainer trainer = MultiTaskTrainer.builder(m).seed(SEED).optimizer(Optimizer.sgd(learningRate, 0))
                    .repMtl(RepMtl.builder(m).build()).build();
            List<Step> out = new ArrayList<>();
            for (int i = 1; i <= steps; i++) {
                long t0 = System.nanoTime();
                StepStats s = trainer.step(batch);
                double ms = (System.nanoTime() - t0) / 1e6;
                out.add(new Step(i, ms, new LinkedHashMap<>(s.taskLosses()), s.tsr(), s.csa(), s.objective()));
            }
            return out;
        } finally {
            Nd4j.setDefaultDataTypes(oldDefault, oldFloat);
        }
    }

    /**
     * Overwrites every non-constant trainable array with N(0, 1/fanIn) draws of a {@link Random} seeded from the
     * variable's name, fanIn = length / last dimension (YXIO conv and [in, out] dense weights); constant arrays
     * (zero biases, unit batch-norm scales) stay as they are.
     */
    static void reinitialise(MultiTaskModel m) {
        for (SDVariable v : m.sameDiff().variables()) {
            if (v.getVariableType() != VariableType.VARIABLE) continue;
            INDArray a = v.getArr();
            if (a == null || a.length() == 0 || a.minNumber().doubleValue() == a.maxNumber().doubleValue()) continue;
            long[] shape = a.shape();
            long fanIn = Math.max(1, a.length() / shape[shape.length - 1]);
            double std = Math.sqrt(1.0 / fanIn);
            Random r = new Random(SEED * 1_000_003L + v.name().hashCode());
            double[] values = new double[(int) a.length()];
            for (int i = 0; i < values.length; i++) values[i] = r.nextGaussian() * std;
            a.assign(Nd4j.createFromArray(values).reshape(shape).castTo(a.dataType()));
        }
    }

    /** A single-input batch: pixels uniform in [0, 1), one class-index label array per task. */
    static MultiDataSet batch(int n, int c, int h, int w, int classes, int tasks) {
        Random r = new Random(SEED);
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        INDArray[] labels = new INDArray[tasks];
        for (int t = 0; t < tasks; t++) {
            long[] l = new long[n];
            for (int i = 0; i < n; i++) l[i] = r.nextInt(classes);
            labels[t] = Nd4j.createFromArray(l);
        }
        return new MultiDataSet(new INDArray[]{Nd4j.createFromArray(x).reshape(n, c, h, w)}, labels);
    }
}
