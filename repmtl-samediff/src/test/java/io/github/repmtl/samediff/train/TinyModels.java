package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** A tiny two-task model and synthetic data for trainer and strategy tests. */
public final class TinyModels {
    private TinyModels() {}

    /** x [B,6] -> dense 8 tanh = Z -> per task dense 8 relu -> dense 3 -> softmax CE. */
    public static MultiTaskModel twoTaskDense(long seed) { return twoTaskDense(seed, DataType.FLOAT); }

    /** {@link #twoTaskDense(long)} with parameters and input of type {@code dt}. */
    public static MultiTaskModel twoTaskDense(long seed, DataType dt) {
        Nd4j.getRandom().setSeed(seed);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", dt, -1, 6);
        SDVariable z = sd.math.tanh("Z", x.mmul(w(sd, "enc.W", dt, 6, 8)).add(w(sd, "enc.b", dt, 8)));
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (String t : List.of("a", "b")) {
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            SDVariable h = sd.nn.relu(z.mmul(w(sd, t + ".W1", dt, 8, 8)).add(w(sd, t + ".b1", dt, 8)), 0);
            SDVariable logits = sd.identity("out_" + t, h.mmul(w(sd, t + ".W2", dt, 8, 3)).add(w(sd, t + ".b2", dt, 3)));
            TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, logits, y, 3);
            b.task(TaskSpec.classification(t, 3), "x", "Z", "out_" + t, "y_" + t, "loss_" + t);
        }
        return b.build();
    }

    /** Multi-input (domain-shift style): task t reads its own input x_t; the encoder weights are shared. */
    public static MultiTaskModel twoTaskMultiInput(long seed) {
        Nd4j.getRandom().setSeed(seed);
        SameDiff sd = SameDiff.create();
        SDVariable encW = w(sd, "enc.W", 6, 8), encB = w(sd, "enc.b", 8);
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (String t : List.of("a", "b")) {
            SDVariable x = sd.placeHolder("x_" + t, DataType.FLOAT, -1, 6);
            SDVariable z = sd.math.tanh("Z_" + t, x.mmul(encW).add(encB));
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            SDVariable logits = sd.identity("out_" + t, z.mmul(w(sd, t + ".W", 8, 3)).add(w(sd, t + ".b", 3)));
            TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, logits, y, 3);
            b.task(TaskSpec.classification(t, 3), "x_" + t, "Z_" + t, "out_" + t, "y_" + t, "loss_" + t);
        }
        return b.build();
    }

    /** One task's data of {@link #data}: features and the given task's labels only. */
    public static ShuffledIterator taskData(int n, int batch, long seed, int task) {
        ShuffledIterator all = data(n, batch, seed);
        return new ShuffledIterator(all.x, new INDArray[]{all.labels[task]}, batch, seed);
    }

    private static SDVariable w(SameDiff sd, String name, long... shape) { return w(sd, name, DataType.FLOAT, shape); }

    private static SDVariable w(SameDiff sd, String name, DataType dt, long... shape) {
        return sd.var(name, Nd4j.randn(DataType.FLOAT, shape).muli(0.5).castTo(dt));
    }

    /** Labels are learnable functions of x: task a = argmax of x[0..2], task b = argmax of x[3..5]. */
    public static ShuffledIterator data(int n, int batch, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(DataType.FLOAT, n, 6);
        INDArray ya = Nd4j.create(DataType.INT64, n), yb = Nd4j.create(DataType.INT64, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) x.putScalar(i, j, r.nextGaussian());
            ya.putScalar(i, x.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, 3)).argMax().getInt(0));
            yb.putScalar(i, x.get(NDArrayIndex.point(i), NDArrayIndex.interval(3, 6)).argMax().getInt(0));
        }
        return new ShuffledIterator(x, new INDArray[]{ya, yb}, batch, seed);
    }

    /** An in-memory iterator that reshuffles with a seeded generator on every reset. */
    public static final class ShuffledIterator implements MultiDataSetIterator {
        private final INDArray x;
        private final INDArray[] labels;
        private final int batch;
        private final Random random;
        private List<Integer> order;
        private int cursor;
        private MultiDataSetPreProcessor pre;

        ShuffledIterator(INDArray x, INDArray[] labels, int batch, long seed) {
            this.x = x;
            this.labels = labels;
            this.batch = batch;
            this.random = new Random(seed);
            reset();
        }

        @Override public MultiDataSet next(int num) { throw new UnsupportedOperationException("next(int) is not supported"); }
        @Override public void setPreProcessor(MultiDataSetPreProcessor p) { this.pre = p; }
        @Override public MultiDataSetPreProcessor getPreProcessor() { return pre; }
        @Override public boolean resetSupported() { return true; }
        @Override public boolean asyncSupported() { return false; }
        @Override public boolean hasNext() { return cursor < order.size(); }

        @Override
        public void reset() {
            order = new ArrayList<>();
            for (int i = 0; i < x.size(0); i++) order.add(i);
            Collections.shuffle(order, random);
            cursor = 0;
        }

        @Override
        public MultiDataSet next() {
            int end = Math.min(cursor + batch, order.size());
            long[] idx = order.subList(cursor, end).stream().mapToLong(Integer::longValue).toArray();
            cursor = end;
            INDArray[] ls = new INDArray[labels.length];
            for (int i = 0; i < ls.length; i++) ls[i] = labels[i].get(NDArrayIndex.indices(idx)).dup();
            MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{x.get(NDArrayIndex.indices(idx), NDArrayIndex.all()).dup()}, ls);
            if (pre != null) pre.preProcess(m);
            return m;
        }
    }
}
