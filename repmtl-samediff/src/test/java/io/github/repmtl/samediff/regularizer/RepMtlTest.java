package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.loss.TaskLosses;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Second-order correctness, numerical safety and bad-input handling of {@link RepMtl}. */
class RepMtlTest {

    /** Dense net: x -> conv -> tanh -> Z; heads with BN + ReLU + max/avg pooling + bilinear upsampling. */
    static SameDiff denseNet(DataType dt, long batch) {
        Nd4j.getRandom().setSeed(7);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", dt, -1, 2, 4, 4);
        SDVariable seg = sd.placeHolder("seg", DataType.INT64, -1, 4, 4);
        SDVariable depth = sd.placeHolder("depth", dt, -1, 1, 4, 4);
        Conv2DConfig c3 = Conv2DConfig.builder().kH(3).kW(3).pH(1).pW(1).build();
        Conv2DConfig c1 = Conv2DConfig.builder().kH(1).kW(1).build();
        Pooling2DConfig p2 = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).build();
        SDVariable z = sd.math.tanh("Z", sd.cnn.conv2d(x, v(sd, "enc.W", dt, 3, 3, 2, 3), v(sd, "enc.b", dt, 3), c3));
        // segmentation head: conv3x3 -> batch norm (batch statistics) -> relu -> max pool -> conv1x1 -> upsample x2
        SDVariable a = sd.cnn.conv2d(z, v(sd, "seg.W1", dt, 3, 3, 3, 3), c3);
        SDVariable mean = a.mean(true, 0, 2, 3);
        SDVariable var = sd.math.square(a.sub(mean)).mean(true, 0, 2, 3);
        SDVariable bn = a.sub(mean).div(sd.math.sqrt(var.add(1e-5))).mul(sd.reshape(v(sd, "seg.gamma", dt, 3), 1, 3, 1, 1))
                .add(sd.reshape(v(sd, "seg.beta", dt, 3), 1, 3, 1, 1));
        SDVariable pooled = sd.cnn.maxPooling2d(sd.nn.relu(bn, 0.0), p2);
        SDVariable logits = upsample2x(sd, sd.cnn.conv2d(pooled, v(sd, "seg.W2", dt, 1, 1, 3, 3), v(sd, "seg.b2", dt, 3), c1), 3, dt);
        TaskLosses.softmaxCrossEntropy(sd, "loss_seg", logits, seg, 3);
        // depth head: conv1x1 -> avg pool -> relu -> upsample x2 -> masked L1
        SDVariable d = sd.cnn.avgPooling2d(sd.cnn.conv2d(z, v(sd, "depth.W", dt, 1, 1, 3, 1), v(sd, "depth.b", dt, 1), c1), p2);
        TaskLosses.maskedL1(sd, "loss_depth", upsample2x(sd, sd.nn.relu(d, 0.0), 1, dt), depth);
        return sd;
    }

    /** Bilinear (align corners) 2x2 -> 4x4 upsampling as two interpolation matmuls. */
    private static SDVariable upsample2x(SameDiff sd, SDVariable in, long c, DataType dt) {
        INDArray m = Nd4j.create(new double[][]{{1, 0}, {2.0 / 3, 1.0 / 3}, {1.0 / 3, 2.0 / 3}, {0, 1}}).castTo(dt);  // [4, 2]
        SDVariable mt = sd.constant(m.transpose().dup());
        SDVariable rows = sd.reshape(sd.reshape(in, -1, 2).mmul(mt), -1, c, 2, 4);           // interpolate W
        SDVariable t = sd.reshape(sd.permute(rows, 0, 1, 3, 2), -1, 2).mmul(mt);              // interpolate H
        return sd.permute(sd.reshape(t, -1, c, 4, 4), 0, 1, 3, 2);
    }

    private static SDVariable v(SameDiff sd, String name, DataType dt, long... shape) {
        return sd.var(name, Nd4j.randn(DataType.DOUBLE, shape).muli(0.7).castTo(dt));
    }

    static Map<String, INDArray> denseFeed(DataType dt, long batch) {
        Nd4j.getRandom().setSeed(11);
        Map<String, INDArray> f = new HashMap<>();
        f.put("x", Nd4j.randn(DataType.DOUBLE, batch, 2, 4, 4).castTo(dt));
        f.put("seg", Nd4j.getRandom().nextDouble('c', new long[]{batch, 4, 4}).muli(4).subi(1).castTo(DataType.INT64));
        INDArray depth = Nd4j.rand(DataType.DOUBLE, batch, 1, 4, 4);
        depth.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(0)).assign(0);   // some invalid pixels
        f.put("depth", depth.castTo(dt));
        return f;
    }

    static RepMtl.Builder denseConfig() {
        return RepMtl.builder().sharedActivation("Z").task("seg", "loss_seg").task("depth", "loss_depth");
    }

    @Test
    void secondOrderGradientMatchesCentralDifferencesInFloat64() {
        for (CsaVariant variant : CsaVariant.values()) {
            SameDiff sd = denseNet(DataType.DOUBLE, 3);
            denseConfig().csaVariant(variant).lambdaTsr(1.1).lambdaCsa(0.7).tau(0.4).build().attachTo(sd);
            Map<String, INDArray> feed = denseFeed(DataType.DOUBLE, 3);
            List<String> params = List.of("enc.W", "enc.b", "seg.W1", "seg.gamma", "seg.beta", "seg.W2", "seg.b2", "depth.W", "depth.b");
            Map<String, INDArray> grads = sd.calculateGradients(feed, params.toArray(new String[0]));
            double worst = 0;
            for (String p : params) {
                INDArray w = sd.getVariable(p).getArr();
                INDArray flat = w.reshape(w.length());
                INDArray g = grads.get(p).reshape(w.length());
                for (long i = 0; i < w.length(); i++) {
                    double orig = flat.getDouble(i), h = 1e-5;
                    flat.putScalar(i, orig + h);
                    double up = objective(sd, feed);
                    flat.putScalar(i, orig - h);
                    double down = objective(sd, feed);
                    flat.putScalar(i, orig);
                    double fd = (up - down) / (2 * h);
                    worst = Math.max(worst, Math.abs(fd - g.getDouble(i)) / Math.max(1e-3, Math.abs(fd)));
                }
            }
            assertTrue(worst < 1e-6, variant + ": worst relative error of dJ/dW vs central differences " + worst);
        }
    }

    private static boolean finite(INDArray a) {
        return Double.isFinite(a.sumNumber().doubleValue()) && Double.isFinite(a.amaxNumber().doubleValue());
    }

    private static double objective(SameDiff sd, Map<String, INDArray> feed) {
        return sd.output(feed, RepMtlGraph.OBJECTIVE).get(RepMtlGraph.OBJECTIVE).getDouble(0);
    }

    @Test
    void saliencyDetachedWouldBeWrong() {
        // the regularizer's gradient w.r.t. head weights is non-zero only through the saliencies (second order)
        SameDiff sd = denseNet(DataType.DOUBLE, 3);
        denseConfig().lambdaTsr(1.0).lambdaCsa(1.0).build().attachTo(sd);
        sd.setLossVariables(RepMtlGraph.REGULARIZER);
        INDArray g = sd.calculateGradients(denseFeed(DataType.DOUBLE, 3), "depth.W").get("depth.W");
        assertTrue(g.amaxNumber().doubleValue() > 1e-6, "regularizer gradient reaches head weights: " + g);
    }

    @Test
    void batchOfOneGivesZeroCsaAndFiniteGradients() {
        for (CsaVariant variant : CsaVariant.values()) {
            SameDiff sd = denseNet(DataType.FLOAT, 1);
            denseConfig().csaVariant(variant).build().attachTo(sd);
            Map<String, INDArray> feed = denseFeed(DataType.FLOAT, 1);
            assertEquals(0.0, sd.output(feed, RepMtlGraph.CSA).get(RepMtlGraph.CSA).getDouble(0), 0.0, variant + ": L_csa at B = 1");
            Map<String, INDArray> g = sd.calculateGradients(feed, "enc.W", "seg.W1", "depth.W");
            g.forEach((k, arr) -> assertTrue(finite(arr), variant + ": gradient of " + k + " not finite"));
        }
    }

    @Test
    void zeroSaliencyStaysFiniteInFloat32() {
        // depth target all zero: the depth task has no valid pixel, its saliency is exactly 0
        SameDiff sd = denseNet(DataType.FLOAT, 4);
        denseConfig().csaVariant(CsaVariant.INFONCE).build().attachTo(sd);
        Map<String, INDArray> feed = denseFeed(DataType.FLOAT, 4);
        feed.get("depth").assign(0);
        Map<String, INDArray> out = sd.output(feed, RepMtlGraph.saliency("depth"), RepMtlGraph.OBJECTIVE, RepMtlGraph.TSR, RepMtlGraph.CSA);
        assertEquals(0.0, out.get(RepMtlGraph.saliency("depth")).amaxNumber().doubleValue(), 0.0);
        for (String k : List.of(RepMtlGraph.OBJECTIVE, RepMtlGraph.TSR, RepMtlGraph.CSA))
            assertTrue(Double.isFinite(out.get(k).getDouble(0)), k + " = " + out.get(k));
        Map<String, INDArray> g = sd.calculateGradients(feed, "enc.W", "seg.W1", "depth.W");
        g.forEach((k, arr) -> assertTrue(finite(arr), "gradient of " + k + " not finite"));
    }

    @Test
    void multiInputTruncatesToTheSmallestBatch() {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(3);
        SDVariable w = sd.var("enc.W", Nd4j.randn(DataType.DOUBLE, 4, 3));
        long[] batches = {5, 3};
        Map<String, INDArray> feed = new HashMap<>();
        RepMtl.Builder b = RepMtl.builder();
        for (int t = 0; t < 2; t++) {
            SDVariable x = sd.placeHolder("x" + t, DataType.DOUBLE, -1, 4);
            SDVariable y = sd.placeHolder("y" + t, DataType.INT64, -1);
            SDVariable z = sd.math.tanh("Z" + t, x.mmul(w));
            TaskLosses.softmaxCrossEntropy(sd, "loss" + t, z.mmul(sd.var("h" + t, Nd4j.randn(DataType.DOUBLE, 3, 2))), y, 2);
            feed.put("x" + t, Nd4j.randn(DataType.DOUBLE, batches[t], 4));
            feed.put("y" + t, Nd4j.createFromArray(new long[(int) batches[t]]));
            b.task("t" + t, "loss" + t, "Z" + t);
        }
        b.build().attachTo(sd);
        Map<String, INDArray> out = sd.output(feed, RepMtlGraph.saliency("t0"), RepMtlGraph.saliency("t1"), RepMtlGraph.TSR, RepMtlGraph.CSA);
        assertEquals(5, out.get(RepMtlGraph.saliency("t0")).size(0));
        // reference: TSR and CSA of the first 3 rows of each saliency, computed in a separate graph
        SameDiff ref = SameDiff.create();
        List<SDVariable> s = List.of(
                ref.constant(out.get(RepMtlGraph.saliency("t0")).get(NDArrayIndex.interval(0, 3)).reshape(3, 3, 1)),
                ref.constant(out.get(RepMtlGraph.saliency("t1")).reshape(3, 3, 1)));
        SDVariable tsr = TaskSaliencyRegulation.build(ref, "tsr", s);
        SDVariable csa = CrossTaskSaliencyAlignment.build(ref, "csa", s, 3, 1, 0.5, CsaVariant.PAPER);
        Map<String, INDArray> r = ref.output(Map.of(), "tsr", "csa");
        assertEquals(r.get("tsr").getDouble(0), out.get(RepMtlGraph.TSR).getDouble(0), 1e-12);
        assertEquals(r.get("csa").getDouble(0), out.get(RepMtlGraph.CSA).getDouble(0), 1e-12);
        assertTrue(sd.calculateGradients(feed, "enc.W").get("enc.W").amaxNumber().doubleValue() > 0);
        assertTrue(tsr != null && csa != null);
    }

    @Test
    void taskWeightsChangeTheObjectiveWithoutRebuilding() {
        SameDiff sd = denseNet(DataType.DOUBLE, 3);
        RepMtlGraph g = denseConfig().lambdaTsr(0).lambdaCsa(0).logTransform(false).build().attachTo(sd);
        Map<String, INDArray> feed = denseFeed(DataType.DOUBLE, 3);
        Map<String, INDArray> o = sd.output(feed, "loss_seg", "loss_depth", RepMtlGraph.OBJECTIVE);
        assertEquals(o.get("loss_seg").getDouble(0) + o.get("loss_depth").getDouble(0), o.get(RepMtlGraph.OBJECTIVE).getDouble(0), 1e-12);
        g.setTaskWeights(2.0, 0.5);
        Map<String, INDArray> o2 = sd.output(feed, RepMtlGraph.OBJECTIVE);
        assertEquals(2 * o.get("loss_seg").getDouble(0) + 0.5 * o.get("loss_depth").getDouble(0), o2.get(RepMtlGraph.OBJECTIVE).getDouble(0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> g.setTaskWeights(1.0));
        assertThrows(IllegalArgumentException.class, () -> g.setTaskWeights(1.0, Double.NaN));
    }

    @Test
    void sameDiffFitOptimisesTheObjective() {
        SameDiff sd = denseNet(DataType.FLOAT, 8);
        denseConfig().build().attachTo(sd);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.02)).dataSetFeatureMapping("x")
                .dataSetLabelMapping("seg", "depth").build());
        Map<String, INDArray> feed = denseFeed(DataType.FLOAT, 8);
        MultiDataSet mds = new MultiDataSet(new INDArray[]{feed.get("x")}, new INDArray[]{feed.get("seg"), feed.get("depth")});
        double before = objective(sd, feed);
        for (int i = 0; i < 30; i++) sd.fit(mds);
        double after = objective(sd, feed);
        assertTrue(after < before - 0.1, "objective " + before + " -> " + after);
    }

    @Test
    void nonFiniteLossStopsFitBeforeTheUpdate() {
        SameDiff sd = denseNet(DataType.FLOAT, 4);
        RepMtl config = denseConfig().build();
        config.attachTo(sd);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.02)).dataSetFeatureMapping("x")
                .dataSetLabelMapping("seg", "depth").build());
        sd.setListeners(new NonFiniteLossGuard(config));
        Map<String, INDArray> feed = denseFeed(DataType.FLOAT, 4);
        feed.get("depth").putScalar(new long[]{1, 0, 1, 1}, Float.NaN);
        INDArray before = sd.getVariable("enc.W").getArr().dup();
        MultiDataSet mds = new MultiDataSet(new INDArray[]{feed.get("x")}, new INDArray[]{feed.get("seg"), feed.get("depth")});
        Exception e = assertThrows(Exception.class, () -> sd.fit(mds));
        String msg = String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : e.getCause().getMessage());
        assertTrue(msg.contains("task 'depth' loss is NaN at iteration 0"), msg);
        assertEquals(before, sd.getVariable("enc.W").getArr(), "weights unchanged");
    }

    @Test
    void graphLoadedFromDiskGivesTheSameSaliencyOpByOp(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // a loaded graph has no closed-form loss gradients registered: its losses are differentiated op by op
        SameDiff original = denseNet(DataType.DOUBLE, 3);
        java.io.File file = dir.resolve("net.fb").toFile();
        original.save(file, false);
        SameDiff loaded = SameDiff.load(file, false);
        denseConfig().build().attachTo(original);
        denseConfig().build().attachTo(loaded);
        Map<String, INDArray> feed = denseFeed(DataType.DOUBLE, 3);
        for (String t : List.of("seg", "depth")) {
            INDArray a = original.output(feed, RepMtlGraph.saliency(t)).get(RepMtlGraph.saliency(t));
            INDArray b = loaded.output(feed, RepMtlGraph.saliency(t)).get(RepMtlGraph.saliency(t));
            assertTrue(a.sub(b).amaxNumber().doubleValue() <= 1e-12 * a.amaxNumber().doubleValue(), t + ": " + a + " vs " + b);
        }
        INDArray ga = original.calculateGradients(feed, "enc.W").get("enc.W"), gb = loaded.calculateGradients(feed, "enc.W").get("enc.W");
        assertTrue(ga.sub(gb).amaxNumber().doubleValue() <= 1e-10 * ga.amaxNumber().doubleValue(), "dJ/dW " + ga + " vs " + gb);
    }

    @Test
    void badInputIsNamed() {
        SameDiff sd = denseNet(DataType.DOUBLE, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RepMtl.builder().sharedActivation("Z").task("seg", "loss_seg").task("depth", "nope").build().attachTo(sd));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RepMtl.builder().sharedActivation("Z").task("seg", "loss_seg").build());
        assertTrue(e.getMessage().contains("at least 2 tasks"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> denseConfig().tau(0).build());
        assertTrue(e.getMessage().contains("tau"), e.getMessage());
        SameDiff sd2 = denseNet(DataType.DOUBLE, 3);
        sd2.math.square("per_pixel", sd2.getVariable("Z"));
        e = assertThrows(IllegalArgumentException.class,
                () -> RepMtl.builder().sharedActivation("Z").task("seg", "loss_seg").task("bad", "per_pixel").build().attachTo(sd2));
        assertTrue(e.getMessage().contains("must be a scalar"), e.getMessage());
        SameDiff sd3 = SameDiff.create();
        SDVariable z0 = sd3.placeHolder("Z0", DataType.DOUBLE, -1, 3);
        SDVariable z1 = sd3.placeHolder("Z1", DataType.DOUBLE, -1, 4);
        z0.mul(z0).sum("l0");
        z1.mul(z1).sum("l1");
        e = assertThrows(IllegalArgumentException.class,
                () -> RepMtl.builder().task("a", "l0", "Z0").task("b", "l1", "Z1").build().attachTo(sd3));
        assertTrue(e.getMessage().contains("differ in shape"), e.getMessage());
    }
}
