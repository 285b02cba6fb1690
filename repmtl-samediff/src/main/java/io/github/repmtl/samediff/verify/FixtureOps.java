package io.github.repmtl.samediff.verify;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Fixture ops written with forward ops of the input-gradient set: training-mode batch norm and bilinear upsampling. */
final class FixtureOps {
    private FixtureOps() {}

    /** Batch statistics over N, H, W (biased variance), then {@code gamma * xhat + beta}; NCHW or [N, C]. */
    static SDVariable batchNormTraining(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, double eps, int rank) {
        int[] axes = rank == 4 ? new int[]{0, 2, 3} : new int[]{0};
        SDVariable mean = x.mean(true, axes);
        SDVariable centred = x.sub(mean);
        SDVariable var = sd.math.square(centred).mean(true, axes);
        SDVariable xhat = centred.div(sd.math.sqrt(var.add(eps)));
        long[] bshape = rank == 4 ? new long[]{1, -1, 1, 1} : new long[]{1, -1};
        return xhat.mul(sd.reshape(gamma, bshape)).add(sd.reshape(beta, bshape));
    }

    /**
     * Bilinear resize of NCHW {@code x} from {@code h x w} to {@code height x width} as two constant
     * interpolation matrices: {@code out = Ah x Aw^T} per channel (exact, and differentiable by matmul rules).
     */
    static SDVariable bilinearUpsample(SameDiff sd, SDVariable x, long channels, long h, long w, int height, int width, boolean alignCorners) {
        SDVariable ahT = sd.constant(interpolation(height, h, alignCorners).transpose().castTo(x.dataType()));  // [h, height]
        SDVariable awT = sd.constant(interpolation(width, w, alignCorners).transpose().castTo(x.dataType()));   // [w, width]
        SDVariable cols = sd.reshape(sd.permute(x, 0, 1, 3, 2), -1, h).mmul(ahT);                             // [(B*C*w), height]
        SDVariable t = sd.permute(sd.reshape(cols, -1, channels, w, height), 0, 1, 3, 2);                      // [B, C, height, w]
        return sd.reshape(sd.reshape(t, -1, w).mmul(awT), -1, channels, height, width);
    }

    /** Row {@code i} holds the weights of the input samples for output position {@code i} (PyTorch semantics). */
    static INDArray interpolation(int out, long in, boolean alignCorners) {
        double[][] m = new double[out][(int) in];
        for (int i = 0; i < out; i++) {
            double src;
            if (alignCorners) src = out == 1 ? 0 : i * (double) (in - 1) / (out - 1);
            else src = Math.max(0, (i + 0.5) * in / out - 0.5);
            int lo = (int) Math.floor(src);
            int hi = Math.min(lo + 1, (int) in - 1);
            double frac = src - lo;
            m[i][lo] += 1 - frac;
            m[i][hi] += frac;
        }
        return Nd4j.createFromArray(m);
    }
}
