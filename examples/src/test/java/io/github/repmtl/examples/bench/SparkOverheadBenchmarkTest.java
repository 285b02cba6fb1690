package io.github.repmtl.examples.bench;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.util.QuietConsole;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench spark} on a tiny model: two rounds of one measured step per arm in local[1] and local[2], a well-formed result. */
class SparkOverheadBenchmarkTest {
    @Test
    void tinyModelGivesAWellFormedResult() {
        SparkOverheadBenchmark.Case c = new SparkOverheadBenchmark.Case("tiny", SparkOverheadBenchmarkTest::model, batch(16), 1e6);
        SparkOverheadBenchmark.Options o = new SparkOverheadBenchmark.Options(2, 2, 1, 0, 0, 10, 5, new int[]{8, 32}, Map.of());
        PrintStream out = System.out;                       // QuietConsole races in local[2] (see BenchCommand): keep them nested
        SparkOverheadBenchmark.Result r = QuietConsole.call(() -> SparkOverheadBenchmark.run(c, o));
        assertEquals(2, r.b().length);
        assertEquals(2, r.c().length);
        assertEquals(2, r.aWithB().length);
        assertEquals(2, r.aWithC().length);
        for (double ms : new double[]{r.aMs(), r.bMs(), r.cMs()}) assertTrue(ms > 0 && Double.isFinite(ms), "step time " + ms);
        assertTrue(Double.isFinite(r.overheadB()) && Double.isFinite(r.overheadC()));
        // Rep-MTL's log transform: one job with one worker, a LOSSES job before the GRADIENTS job when split
        assertEquals(1, r.profileB().jobs(), 0);
        assertEquals(2, r.profileC().jobs(), 0);
        assertTrue(r.profileB().resultBytes() > 0 && r.profileC().resultBytes() > r.profileB().resultBytes() * 0.5, r.profileB() + " / " + r.profileC());
        // 5x6 + 6 + 2 x (6x3 + 3) float32 parameters
        assertEquals(5 * 6 + 6 + 2 * (6 * 3 + 3), r.probe().parameterCount());
        assertEquals(4 * r.probe().parameterCount(), r.probe().rawBytes());
        assertTrue(r.probe().broadcastBytes() > r.probe().rawBytes() && r.probe().broadcastLz4Bytes() > 0 && r.probe().resultBytes() > r.probe().rawBytes(), r.probe().toString());
        assertTrue(r.probe().sparkBroadcastMs() > 0 && r.probe().mergeMsPerByte() > 0 && r.probe().mapRoundTripMs() > 0 && r.probe().bytesRoundTripMs() > 0, r.probe().toString());
        SparkCostModel m = r.model();
        assertEquals(16, m.batch());
        assertTrue(m.gradient(32, 0.5).stepMs() > m.gradient(32, 0.5).computeMs());
        List<String> lines = r.lines();
        lines.forEach(out::println);
        assertTrue(lines.get(0).matches("spark tiny batch=16 params=78 steps/arm=2 rounds=2 seconds=\\d+ a_ms=\\S+ b_ms=\\S+ c_ms=\\S+ overhead_b=[-+]\\S+ overhead_c=[-+]\\S+ .*"), lines.get(0));
        assertTrue(lines.get(1).startsWith("spark tiny target (c-a)/a <= 100000000% (local[2], two workers of 8 vs one machine at 16): met"), lines.get(1));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("spark tiny profile b (local[1], 1 worker): jobs/step=1 ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("spark tiny profile c (local[2], 2 workers): jobs/step=2 ")), String.join("\n", lines));
        assertEquals(2 * 2 * 2, lines.stream().filter(l -> l.matches("spark tiny predict (global_batch|per_worker_batch) .*")).count(), String.join("\n", lines));
        assertEquals(2, lines.stream().filter(l -> l.startsWith("spark tiny recommend ")).count());
        assertTrue(lines.stream().noneMatch(l -> l.contains("NaN")), String.join("\n", lines));
    }

    /** x [B,5] -> dense 6 tanh = Z -> per task dense 3 -> softmax CE, float32. */
    private static MultiTaskModel model() {
        Nd4j.getRandom().setSeed(11);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 5);
        SDVariable z = sd.math.tanh("Z", x.mmul(sd.var("enc.W", Nd4j.randn(DataType.FLOAT, 5, 6).muli(0.5))).add(sd.var("enc.b", Nd4j.zeros(DataType.FLOAT, 6))));
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (String t : List.of("a", "b")) {
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            SDVariable logits = sd.identity("out_" + t, z.mmul(sd.var(t + ".W", Nd4j.randn(DataType.FLOAT, 6, 3).muli(0.5))).add(sd.var(t + ".b", Nd4j.zeros(DataType.FLOAT, 3))));
            TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, logits, y, 3);
            b.task(TaskSpec.classification(t, 3), "x", "Z", "out_" + t, "y_" + t, "loss_" + t);
        }
        return b.build();
    }

    private static MultiDataSet batch(int n) {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, 5);
        INDArray[] y = {Nd4j.rand(DataType.FLOAT, n).muli(3).castTo(DataType.INT64), Nd4j.rand(DataType.FLOAT, n).muli(3).castTo(DataType.INT64)};
        return new MultiDataSet(new INDArray[]{x}, y);
    }
}
