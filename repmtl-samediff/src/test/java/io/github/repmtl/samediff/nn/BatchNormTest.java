package io.github.repmtl.samediff.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchNormTest {
    private static final double EPS = 1e-5;

    private static INDArray random(long seed, long... shape) {
        return Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(seed), shape).castTo(DataType.DOUBLE).muli(2).subi(1);
    }

    /** Graph: y = BN(x); loss = sum(y * w) + 0.3 * sum(y^2) (so every gradient term is exercised). */
    private static SameDiff graph(INDArray x, int channels, int rank, BatchNorm.Mode mode) { return graph(x, channels, rank, mode, false); }

    private static SameDiff graph(INDArray x, int channels, int rank, BatchNorm.Mode mode, boolean depthwise) {
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.DOUBLE, 7);
        SDVariable xv = sd.var("x", x.dup());
        BatchNorm bn = BatchNorm.builder(channels).mode(mode).depthwiseAffine(depthwise)
                .gamma(random(11, channels).addi(1.5)).beta(random(12, channels))
                .runningMean(random(13, channels)).runningVar(random(14, channels).addi(2)).build();
        SDVariable y = sd.identity("y", bn.apply(ctx, "bn", xv, rank));
        SDVariable w = sd.constant(random(15, x.shape()));
        sd.identity("loss", y.mul(w).sum().add(y.mul(y).sum().mul(0.3)));
        return sd;
    }

    /** Direct per-channel computation: channel axis 1, statistics over all other axes. */
    private static INDArray reference(INDArray x, INDArray gamma, INDArray beta, INDArray mean, INDArray var) {
        INDArray y = x.dup();
        long c = x.size(1);
        for (long i = 0; i < x.length(); i++) {
            long[] idx = org.nd4j.linalg.api.shape.Shape.ind2subC(x, i);
            int ch = (int) idx[1];
            double v = (x.getDouble(idx) - mean.getDouble(ch)) / Math.sqrt(var.getDouble(ch) + EPS) * gamma.getDouble(ch) + beta.getDouble(ch);
            y.putScalar(idx, v);
        }
        assertEquals(c, gamma.length());
        return y;
    }

    private static INDArray[] batchStatistics(INDArray x) {
        int[] axes = x.rank() == 4 ? new int[]{0, 2, 3} : new int[]{0};
        INDArray mean = x.mean(axes);
        long n = x.length() / x.size(1);
        INDArray biased = x.var(false, axes);
        return new INDArray[]{mean, biased, biased.mul((double) n / (n - 1))};
    }

    @Test
    void trainingModeMatchesDirectComputationAndFiniteDifferences() {
        INDArray x = random(1, 3, 2, 2, 3).muli(3).addi(0.7);
        SameDiff sd = graph(x, 2, 4, BatchNorm.Mode.SWITCHED);
        Map<String, INDArray> feed = Map.of(LayerContext.TRAINING_FLAG, Nd4j.scalar(1.0));
        Map<String, INDArray> out = sd.output(feed, "y", "bn/batch_mean", "bn/batch_var");
        INDArray[] stats = batchStatistics(x);
        INDArray expected = reference(x, sd.getArrForVarName("bn/gamma"), sd.getArrForVarName("bn/beta"), stats[0], stats[1]);
        assertTrue(expected.equalsWithEps(out.get("y"), 1e-12), "training-mode output");
        assertTrue(stats[0].equalsWithEps(out.get("bn/batch_mean"), 1e-12), "batch mean");
        assertTrue(stats[2].equalsWithEps(out.get("bn/batch_var"), 1e-12), "unbiased batch variance");
        GradientCheck.check(sd, "loss", feed, "x", "bn/gamma", "bn/beta");
    }

    @Test
    void depthwiseAffineGivesTheSameValuesAndExactGradientsInBothModes() {
        INDArray x = random(4, 3, 2, 3, 2).muli(2).addi(0.3);
        INDArray[] stats = batchStatistics(x);
        for (double flag : new double[]{1, 0}) {
            SameDiff sd = graph(x, 2, 4, BatchNorm.Mode.SWITCHED, true);
            Map<String, INDArray> feed = Map.of(LayerContext.TRAINING_FLAG, Nd4j.scalar(flag));
            boolean train = flag == 1;
            INDArray expected = reference(x, sd.getArrForVarName("bn/gamma"), sd.getArrForVarName("bn/beta"),
                    train ? stats[0] : sd.getArrForVarName("bn/running_mean"), train ? stats[1] : sd.getArrForVarName("bn/running_var"));
            assertTrue(expected.equalsWithEps(sd.output(feed, "y").get("y"), 1e-12), "flag " + flag);
            GradientCheck.check(sd, "loss", feed, "x", "bn/gamma", "bn/beta");
        }
    }

    @Test
    void vectorBatchOfOneNormalisesToBetaWithExactGradients() {
        INDArray x = random(5, 1, 4);                       // [1, C]: M2.1 cannot reduce it along axis 0 directly
        SameDiff sd = graph(x, 4, 2, BatchNorm.Mode.SWITCHED);
        Map<String, INDArray> feed = Map.of(LayerContext.TRAINING_FLAG, Nd4j.scalar(1.0));
        Map<String, INDArray> out = sd.output(feed, "y", "bn/batch_mean", "bn/batch_var");
        assertTrue(sd.getArrForVarName("bn/beta").reshape(1, 4).equalsWithEps(out.get("y"), 1e-12), "a single sample normalises to beta");
        assertTrue(x.reshape(4).equalsWithEps(out.get("bn/batch_mean"), 1e-12), "batch mean");
        assertEquals(0.0, out.get("bn/batch_var").amaxNumber().doubleValue(), 0.0);
        GradientCheck.check(sd, "loss", feed, "x", "bn/gamma", "bn/beta");
    }

    @Test
    void inferenceModeUsesRunningStatisticsAndHasExactGradients() {
        INDArray x = random(2, 4, 3, 2, 2);
        SameDiff sd = graph(x, 3, 4, BatchNorm.Mode.SWITCHED);
        Map<String, INDArray> feed = Map.of(LayerContext.TRAINING_FLAG, Nd4j.scalar(0.0));
        INDArray expected = reference(x, sd.getArrForVarName("bn/gamma"), sd.getArrForVarName("bn/beta"),
                sd.getArrForVarName("bn/running_mean"), sd.getArrForVarName("bn/running_var"));
        assertTrue(expected.equalsWithEps(sd.output(feed, "y").get("y"), 1e-12), "inference-mode output");
        GradientCheck.check(sd, "loss", feed, "x", "bn/gamma", "bn/beta");
    }

    @Test
    void vectorInputNormalisesOverTheBatch() {
        INDArray x = random(3, 5, 4).muli(2).addi(1);
        for (BatchNorm.Mode mode : new BatchNorm.Mode[]{BatchNorm.Mode.BATCH_STATISTICS, BatchNorm.Mode.RUNNING_STATISTICS}) {
            SameDiff sd = graph(x, 4, 2, mode);
            INDArray[] stats = batchStatistics(x);
            boolean batch = mode == BatchNorm.Mode.BATCH_STATISTICS;
            INDArray expected = reference(x, sd.getArrForVarName("bn/gamma"), sd.getArrForVarName("bn/beta"),
                    batch ? stats[0] : sd.getArrForVarName("bn/running_mean"), batch ? stats[1] : sd.getArrForVarName("bn/running_var"));
            assertTrue(expected.equalsWithEps(sd.output(Map.of(), "y").get("y"), 1e-12), mode + " output");
            GradientCheck.check(sd, "loss", Map.of(), "x", "bn/gamma", "bn/beta");
        }
    }

    @Test
    void registersPyTorchStyleRunningStatisticUpdatesAndCountsOnlyAffineParameters() {
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.FLOAT, 1);
        BatchNorm bn = BatchNorm.builder(8).build();
        bn.apply(ctx, "a", sd.placeHolder("x", DataType.FLOAT, -1, 8, 4, 4), 4);
        assertEquals(16, bn.parameterCount());
        assertEquals(List.of("a/running_mean", "a/running_var"), ctx.statisticUpdates().stream().map(u -> u.variable()).toList());
        assertEquals(List.of("a/batch_mean", "a/batch_var"), ctx.statisticUpdates().stream().map(u -> u.batchValue()).toList());
        assertEquals(0.1, ctx.statisticUpdates().get(0).momentum());
        assertEquals(LayerContext.TRAINING_FLAG, ctx.trainingFlag().name());
        long trainable = sd.variables().stream().filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE).mapToLong(v -> v.getArr().length()).sum();
        assertEquals(16, trainable);
    }

    @Test
    void rejectsWrongParameterShapes() {
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.FLOAT, 1);
        BatchNorm bn = BatchNorm.builder(3).gamma(Nd4j.ones(4)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bn.apply(ctx, "bn1", sd.placeHolder("x", DataType.FLOAT, -1, 3, 2, 2), 4));
        assertTrue(e.getMessage().contains("bn1/gamma"), e.getMessage());
    }
}
