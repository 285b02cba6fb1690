package io.github.repmtl.samediff.loss;

import io.github.repmtl.samediff.util.QuietConsole;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Softmax cross-entropy: value against a direct computation (ignore label, huge logits) and exact gradient. */
class SoftmaxCrossEntropyTest {

    private static double direct(double[][] logits, long[] labels) {
        double sum = 0;
        int n = 0;
        for (int b = 0; b < logits.length; b++) {
            if (labels[b] < 0 || labels[b] >= logits[b].length) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits[b]) max = Math.max(max, v);
            double s = 0;
            for (double v : logits[b]) s += Math.exp(v - max);
            sum += Math.log(s) + max - logits[b][(int) labels[b]];
            n++;
        }
        return sum / n;
    }

    @Test
    void valueMatchesDirectComputationEvenForHugeLogitsInFloat32() {
        double[][] logits = {{1000.7, 999.2, -3}, {-2000.3, -2001.9, -1999.4}, {0.1, 0.2, 0.3}, {5, 6, 7}};
        long[] labels = {1, 2, -1, 0};
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        SDVariable y = sd.placeHolder("y", DataType.INT64, -1);
        TaskLosses.softmaxCrossEntropy(sd, "loss", x, y, 3);
        double loss = sd.output(Map.of("x", Nd4j.createFromArray(logits).castTo(DataType.FLOAT), "y", Nd4j.createFromArray(labels)), "loss")
                .get("loss").getDouble(0);
        assertEquals(direct(logits, labels), loss, 1e-4);
    }

    @Test
    void gradientMatchesCentralDifferencesInFloat64() {
        INDArray logits = Nd4j.rand(DataType.DOUBLE, 5, 4).muli(6).subi(3);
        long[] labels = {3, 0, -1, 2, 1};
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", logits);
        SDVariable y = sd.constant("y", Nd4j.createFromArray(labels));
        TaskLosses.softmaxCrossEntropy(sd, "loss", x, y, 4);
        sd.setLossVariables("loss");
        INDArray g = QuietConsole.call(() -> sd.calculateGradients(Map.of(), "x")).get("x");
        double h = 1e-6, worst = 0;
        for (int i = 0; i < logits.length(); i++) {
            INDArray plus = logits.dup(), minus = logits.dup();
            plus.putScalar(i, plus.getDouble(i) + h);
            minus.putScalar(i, minus.getDouble(i) - h);
            double fd = (value(plus, labels) - value(minus, labels)) / (2 * h);
            worst = Math.max(worst, Math.abs(fd - g.getDouble(i)));
        }
        assertTrue(worst < 1e-8, "max |analytic - central difference| = " + worst);
    }

    private static double value(INDArray logits, long[] labels) {
        return direct(logits.toDoubleMatrix(), labels);
    }
}
