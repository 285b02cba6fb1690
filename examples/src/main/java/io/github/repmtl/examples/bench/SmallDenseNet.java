package io.github.repmtl.examples.bench;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.BilinearUpsampling;
import io.github.repmtl.samediff.nn.Conv2d;
import io.github.repmtl.samediff.nn.LayerContext;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmark case (c): a small dense-prediction net for NYUv2's three tasks on 3x96x128. Encoder: two stride-2
 * 3x3 convs (32, 64 channels) with ReLU, so {@code Z} is 64 x 24 x 32; heads: 3x3 conv 32 + ReLU, 1x1 conv to
 * the task's channels, bilinear upsampling x4 (align corners); losses: segmentation CE (13 classes, -1
 * ignored), masked L1 depth, masked cosine normals.
 */
public final class SmallDenseNet {
    private SmallDenseNet() {}

    public static MultiTaskModel create(long seed) {
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.FLOAT, seed);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3, 96, 128);
        SDVariable h = sd.nn.relu(Conv2d.builder(3, 32).kernel(3).stride(2).padding(1).build().apply(ctx, "enc1", x), 0);
        SDVariable z = sd.nn.relu("Z", Conv2d.builder(32, 64).kernel(3).stride(2).padding(1).build().apply(ctx, "enc2", h), 0);
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        TaskSpec[] tasks = {TaskSpec.segmentation("segmentation", 13), TaskSpec.depth("depth"), TaskSpec.normal("normal")};
        for (TaskSpec t : tasks) {
            String n = t.name();
            SDVariable a = sd.nn.relu(Conv2d.builder(64, 32).kernel(3).padding(1).build().apply(ctx, n + "/conv1", z), 0);
            SDVariable o = Conv2d.builder(32, t.outputs()).kernel(1).build().apply(ctx, n + "/conv2", a);
            SDVariable up = BilinearUpsampling.of(t.outputs(), 24, 32, 96, 128, true).apply(ctx, n + "/up", o);
            SDVariable out;
            SDVariable label;
            switch (t.kind()) {
                case SEGMENTATION -> {
                    out = sd.identity("out_" + n, up);
                    label = sd.placeHolder("y_" + n, DataType.INT64, -1, 96, 128);
                    TaskLosses.softmaxCrossEntropy(sd, "loss_" + n, out, label, t.outputs());
                }
                case DEPTH -> {
                    out = sd.identity("out_" + n, up);
                    label = sd.placeHolder("y_" + n, DataType.FLOAT, -1, 1, 96, 128);
                    TaskLosses.maskedL1(sd, "loss_" + n, out, label);
                }
                default -> {
                    out = sd.identity("out_" + n, TaskLosses.l2NormalizeChannels(sd, up));
                    label = sd.placeHolder("y_" + n, DataType.FLOAT, -1, 3, 96, 128);
                    TaskLosses.maskedCosine(sd, "loss_" + n, out, label);
                }
            }
            b.task(t, "x", "Z", out.name(), label.name(), "loss_" + n);
        }
        return b.build();
    }

    /** A random batch of NYUv2-like data (labels in range, about 10% ignored / invalid pixels). */
    public static MultiDataSet batch(int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, size, 3, 96, 128);
        INDArray seg = Nd4j.rand(DataType.FLOAT, size, 96, 128).muli(14).subi(1).castTo(DataType.INT64);
        INDArray depth = Nd4j.rand(DataType.FLOAT, size, 1, 96, 128).addi(0.1);
        INDArray normal = Nd4j.randn(DataType.FLOAT, size, 3, 96, 128);
        normal.divi(normal.norm2(1).reshape(size, 1, 96, 128).broadcast(normal.shape()));
        return new MultiDataSet(new INDArray[]{x}, new INDArray[]{seg, depth, normal});
    }
}
