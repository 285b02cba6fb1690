package io.github.repmtl.samediff.saliency;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.nn.BatchNorm;
import io.github.repmtl.samediff.nn.BilinearUpsampling;
import io.github.repmtl.samediff.nn.Conv2d;
import io.github.repmtl.samediff.nn.Dropout;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.samediff.util.QuietConsole;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zoo's layer builders (samediff.nn) inside heads: the emitted {@code dl/dZ} against float64 central
 * differences (batch norm, whose M2.1 op gradient is broken, is written with forward ops here; the reference
 * does not rely on SameDiff's gradient at all), in training and inference mode.
 */
class NnLayersInputGradientTest {

    private static double check(String name, long[] zShape, double flag, BiFunction<LayerContext, SDVariable, SDVariable> head) {
        Nd4j.getRandom().setSeed(21);
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.DOUBLE, 3);
        SDVariable z = sd.placeHolder("Z", DataType.DOUBLE, zShape);
        SDVariable out = head.apply(ctx, z);
        long[] concrete = zShape.clone();
        concrete[0] = 3;
        INDArray zv = Nd4j.randn(DataType.DOUBLE, concrete);
        Map<String, INDArray> feed = new HashMap<>();
        feed.put("Z", zv);
        if (sd.hasVariable(LayerContext.TRAINING_FLAG)) feed.put(LayerContext.TRAINING_FLAG, Nd4j.scalar(DataType.DOUBLE, flag));
        INDArray target = Nd4j.randn(DataType.DOUBLE, sd.output(feed, out.name()).get(out.name()).shape());
        long[] tShape = target.shape().clone();
        tShape[0] = -1;
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, tShape);
        feed.put("t", target);
        SDVariable loss = TaskLosses.meanSquaredError(sd, "loss", out, t);
        InputGradientBuilder.Request r = new InputGradientBuilder.Request("loss", "Z");
        SDVariable g = new InputGradientBuilder(sd).build(List.of(r)).get(r);
        INDArray emitted = QuietConsole.call(() -> sd.output(feed, g.name()).get(g.name()));
        // central differences; dropout masks are random per execution, so they are fixed by re-seeding before each pass
        INDArray fd = Nd4j.zeros(DataType.DOUBLE, concrete);
        INDArray flat = zv.reshape(zv.length());
        for (long i = 0; i < zv.length(); i++) {
            double v = flat.getDouble(i), h = 1e-6;
            flat.putScalar(i, v + h);
            Nd4j.getRandom().setSeed(5);
            double up = sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
            flat.putScalar(i, v - h);
            Nd4j.getRandom().setSeed(5);
            double down = sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
            flat.putScalar(i, v);
            fd.reshape(fd.length()).putScalar(i, (up - down) / (2 * h));
        }
        Nd4j.getRandom().setSeed(5);
        INDArray emittedSeeded = sd.output(feed, g.name()).get(g.name());
        double err = emittedSeeded.sub(fd).amaxNumber().doubleValue() / fd.amaxNumber().doubleValue();
        assertTrue(fd.amaxNumber().doubleValue() > 0 && emitted != null, name + ": zero reference");
        assertTrue(err < 1e-7, name + " (training flag " + flag + "): relative error vs central differences " + err);
        return err;
    }

    @Test
    void batchNormInTrainingAndInferenceMode() {
        for (double flag : new double[]{1, 0}) {
            check("batch norm 4d", new long[]{-1, 2, 3, 3}, flag, (ctx, z) -> BatchNorm.builder(2).build().apply(ctx, "bn", z, 4));
            check("batch norm 2d", new long[]{-1, 4}, flag, (ctx, z) -> BatchNorm.builder(4).build().apply(ctx, "bn", z, 2));
        }
    }

    @Test
    void rowStackedConvolutionOfAPlaceholderRepresentation() {
        // a few-channel placeholder Z (multi-input mode) gets Conv2d's row-stacked form: slices, concat, 1 x kW conv
        check("row-stacked conv", new long[]{-1, 2, 6, 5}, 1, (ctx, z) -> {
            SDVariable y = Conv2d.builder(2, 3).kernel(3).build().apply(ctx, "conv", z);
            assertTrue(java.util.Arrays.stream(ctx.sameDiff().ops()).anyMatch(op -> op.opName().equals("concat")), "row-stacked");
            return y;
        });
    }

    @Test
    void bilinearUpsamplingBothAlignModes() {
        for (boolean align : new boolean[]{true, false})
            check("bilinear align=" + align, new long[]{-1, 1, 3, 4}, 1, (ctx, z) -> BilinearUpsampling.of(1, 3, 4, 5, 7, align).apply(ctx, "up", z));
    }

    @Test
    void dropoutReusesTheSameMaskAndGlobalAveragePooling() {
        check("dropout", new long[]{-1, 6}, 1, (ctx, z) -> Dropout.switched(0.5).apply(ctx, "drop", ctx.sameDiff().math.tanh(z)));
        check("global average pooling", new long[]{-1, 2, 3, 3}, 1, (ctx, z) -> ctx.sameDiff().math.tanh(z).mean(2, 3));
    }
}
