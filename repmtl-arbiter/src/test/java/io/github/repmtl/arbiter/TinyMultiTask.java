package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.metrics.Baselines;
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

import java.util.List;
import java.util.Map;
import java.util.Random;

/** A tiny two-task SameDiff model and synthetic data for the search tests. */
final class TinyMultiTask {
    static final List<String> TASKS = List.of("a", "b");

    private TinyMultiTask() {}

    /** x [B,4] -> Z = tanh(dense 6) -> per task dense 3 -> softmax cross-entropy; weights from ND4J's (seeded) generator. */
    static MultiTaskModel model() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 4);
        SDVariable z = sd.math.tanh("Z", x.mmul(weight(sd, "enc.W", 4, 6)).add(weight(sd, "enc.b", 6)));
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (String t : TASKS) {
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            SDVariable logits = sd.identity("out_" + t, z.mmul(weight(sd, t + ".W", 6, 3)).add(weight(sd, t + ".b", 3)));
            TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, logits, y, 3);
            b.task(TaskSpec.classification(t, 3), "x", "Z", "out_" + t, "y_" + t, "loss_" + t);
        }
        return b.build();
    }

    /** Single-task reference accuracies of 50 % for both tasks. */
    static Baselines baselines() {
        return Baselines.of("tiny-stl", Map.of("a", Map.of("accuracy", 50.0), "b", Map.of("accuracy", 50.0)));
    }

    /** Search data: 48 training and 24 validation samples, batches of 16. */
    static SearchData searchData() {
        return SearchData.of(() -> data(48, 16, 1), () -> data(24, 16, 2));
    }

    private static SDVariable weight(SameDiff sd, String name, long... shape) {
        return sd.var(name, Nd4j.randn(DataType.FLOAT, shape).muli(0.5));
    }

    /** Task a: argmax of x[0..2]; task b: argmax of x[1..3]. Fixed batch order. */
    static MultiDataSetIterator data(int n, int batch, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(DataType.FLOAT, n, 4);
        INDArray ya = Nd4j.create(DataType.INT64, n), yb = Nd4j.create(DataType.INT64, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) x.putScalar(i, j, r.nextGaussian());
            ya.putScalar(i, x.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, 3)).argMax().getInt(0));
            yb.putScalar(i, x.get(NDArrayIndex.point(i), NDArrayIndex.interval(1, 4)).argMax().getInt(0));
        }
        return new InMemoryIterator(x, ya, yb, batch);
    }

    private static final class InMemoryIterator implements MultiDataSetIterator {
        private final INDArray x, ya, yb;
        private final int batch;
        private int cursor;
        private MultiDataSetPreProcessor preProcessor;

        InMemoryIterator(INDArray x, INDArray ya, INDArray yb, int batch) {
            this.x = x;
            this.ya = ya;
            this.yb = yb;
            this.batch = batch;
        }

        @Override public boolean hasNext() { return cursor < x.size(0); }
        @Override public void reset() { cursor = 0; }
        @Override public boolean resetSupported() { return true; }
        @Override public boolean asyncSupported() { return false; }
        @Override public void setPreProcessor(MultiDataSetPreProcessor p) { this.preProcessor = p; }
        @Override public MultiDataSetPreProcessor getPreProcessor() { return preProcessor; }
        @Override public MultiDataSet next(int num) { throw new UnsupportedOperationException("next(int) is not supported"); }

        @Override
        public MultiDataSet next() {
            int end = (int) Math.min(cursor + batch, x.size(0));
            MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet(
                    new INDArray[]{x.get(NDArrayIndex.interval(cursor, end), NDArrayIndex.all()).dup()},
                    new INDArray[]{ya.get(NDArrayIndex.interval(cursor, end)).dup(), yb.get(NDArrayIndex.interval(cursor, end)).dup()});
            cursor = end;
            if (preProcessor != null) preProcessor.preProcess(m);
            return m;
        }
    }
}
