package io.github.repmtl.samediff.regularizer;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * CSA, cross-task saliency alignment (REP-MTL.md "CSA"): per sample, each task's affinity
 * {@code M_t = S_t S_t^T} and the anchor affinity {@code Ahat = A A^T} ({@code A} = spatial means of all
 * tasks' saliencies) are compared by cosine similarity inside a contrastive loss with temperature tau.
 *
 * <p>No {@code C x C} matrix is ever formed: with {@code <U U^T, V V^T>_F = ||U^T V||_F^2} every similarity
 * is computed from {@code T x N}, {@code T x T} or {@code min(C, N)}-sized Gram matrices. Norms are
 * {@code sqrt(max(||x||^2, 1e-24))}, finite with a finite gradient at zero saliency. A batch of one sample
 * gives {@code L_csa = 0}.
 */
public final class CrossTaskSaliencyAlignment {
    private static final double NORM_FLOOR_SQ = 1e-24;

    private CrossTaskSaliencyAlignment() {}

    /**
     * @param saliencies {@code S_t} per task, reshaped to {@code [B, C, N]} (N = H*W, 1 for vectors), equal batch
     * @param channels   C
     * @param positions  N
     */
    public static SDVariable build(SameDiff sd, String name, List<SDVariable> saliencies, long channels, long positions,
                                   double tau, CsaVariant variant) {
        int tasks = saliencies.size();
        DataType dt = saliencies.get(0).dataType();
        SDVariable first = saliencies.get(0);
        SDVariable batch = sd.shape(first).get(SDIndex.interval(0, 1));          // [1], runtime batch size

        // anchor A: [B, C, T]; its columns a_s: [B, C]
        List<SDVariable> columns = new ArrayList<>();
        for (SDVariable s : saliencies) columns.add(positions == 1 ? sd.squeeze(s, 2) : s.mean(2));
        SDVariable anchor = sd.concat(2, columns.stream().map(c -> sd.expandDims(c, 2)).toArray(SDVariable[]::new));
        SDVariable anchorT = sd.permute(anchor, 0, 2, 1);                          // [B, T, C]

        // <Ahat_b, Ahat_k> = ||A_b^T A_k||_F^2 from the (B*T) x (B*T) Gram of anchor columns
        SDVariable rows = sd.reshape(anchorT, -1, channels);                        // [(B*T), C]
        SDVariable gram = sd.mmul(rows, rows, false, true, false);                  // [(B*T), (B*T)]
        SDVariable gram4 = sd.reshape(gram, shape(sd, batch, -1, tasks, -1, tasks));
        SDVariable anchorDot = sd.math.square(gram4).sum(1, 3);                    // [B, B]
        SDVariable eye = sd.math.diag(sd.onesLike(anchorDot.sum(1)));
        SDVariable anchorNorm = safeNorm(sd, anchorDot.mul(eye).sum(1));           // [B]
        SDVariable anchorSim = anchorDot.div(sd.expandDims(anchorNorm, 1)).div(sd.expandDims(anchorNorm, 0));
        SDVariable offDiagonal = eye.rsub(1.0);
        SDVariable hasPairs = sd.math.min(offDiagonal.sum(), sd.constant(1.0).castTo(dt));

        SDVariable total = null;
        for (SDVariable s : saliencies) {
            SDVariable taskNorm = safeNorm(sd, affinityNormSq(sd, s, channels, positions));   // ||M_t[b]||, [B]
            SDVariable term = variant == CsaVariant.PAPER
                    ? paperTerm(sd, columns, anchorT, s, positions, anchorNorm, taskNorm, tau)
                    : infoNceTerm(sd, rows, s, batch, tasks, channels, positions, anchorNorm, taskNorm, tau, hasPairs);
            total = total == null ? term : total.add(term);
        }
        SDVariable perTask = total.div(tasks);
        if (variant == CsaVariant.PAPER) perTask = perTask.add(offDiagonalLogSumExp(sd, anchorSim.div(tau), offDiagonal, hasPairs, tau).mean());
        return perTask.mul(name, hasPairs);
    }

    /**
     * {@code -(1/B) sum_b sim(z^a_b, z^t_b) / tau}, with {@code <Ahat_b, M_t[b]> = ||A_b^T S_t[b]||^2
     * = sum_k ||a_k[b]^T S_t[b]||^2}: for vectors (N = 1) one broadcast product per anchor column instead of
     * B tiny matmuls; otherwise one batched matmul.
     */
    private static SDVariable paperTerm(SameDiff sd, List<SDVariable> columns, SDVariable anchorT, SDVariable s, long positions,
                                        SDVariable anchorNorm, SDVariable taskNorm, double tau) {
        SDVariable cross = null;
        for (SDVariable a : columns) {
            if (positions > 1) break;
            SDVariable sq = sd.math.square(a.mul(sd.squeeze(s, 2)).sum(1));                 // [B]
            cross = cross == null ? sq : cross.add(sq);
        }
        if (positions > 1) cross = sd.math.square(sd.mmul(anchorT, s)).sum(1, 2);      // [B, T, N] -> [B]
        return cross.div(anchorNorm).div(taskNorm).mean().div(-tau);
    }

    /**
     * InfoNCE for one task: logits {@code [b, k] = sim(z^t_b, z^a_k) / tau}, cross-entropy with target k = b,
     * averaged over b.
     */
    private static SDVariable infoNceTerm(SameDiff sd, SDVariable anchorRows, SDVariable s, SDVariable batch, int tasks,
                                          long channels, long positions, SDVariable anchorNorm, SDVariable taskNorm,
                                          double tau, SDVariable hasPairs) {
        SDVariable cols = sd.reshape(sd.permute(s, 1, 0, 2), channels, -1);         // [C, (B*N)]
        SDVariable prod = sd.mmul(anchorRows, cols);                                 // [(B_k*T), (B_b*N)]
        SDVariable prod4 = sd.reshape(prod, shape(sd, batch, -1, tasks, -1, positions));
        SDVariable dots = sd.permute(sd.math.square(prod4).sum(1, 3), 1, 0);       // [B_b, B_k]
        SDVariable logits = dots.div(sd.expandDims(taskNorm, 1)).div(sd.expandDims(anchorNorm, 0)).div(tau);
        SDVariable max = logits.max(true, 1);
        SDVariable lse = sd.math.log(sd.math.exp(logits.sub(max)).sum(true, 1)).add(max);   // [B, 1]
        SDVariable eye = sd.math.diag(sd.onesLike(logits.sum(1)));
        SDVariable positive = logits.mul(eye).sum(true, 1);
        return lse.sub(positive).mean();
    }

    /**
     * Row-wise {@code ln sum_{k != b} exp(x[b, k])} for {@code x = sim / tau} in {@code [-1/tau, 1/tau]},
     * computed stably; rows without a pair give 0.
     */
    private static SDVariable offDiagonalLogSumExp(SameDiff sd, SDVariable x, SDVariable offDiagonal, SDVariable hasPairs, double tau) {
        SDVariable masked = x.sub(offDiagonal.rsub(1.0).mul(2.0 / tau + 1.0));    // the diagonal drops below every pair
        SDVariable max = masked.max(true, 1);
        SDVariable sum = sd.math.exp(masked.sub(max)).mul(offDiagonal).sum(true, 1);
        SDVariable safeSum = sum.add(hasPairs.rsub(1.0));                            // log(1) = 0 when B < 2
        return sd.math.log(safeSum).add(max).mul(hasPairs);
    }

    /**
     * {@code ||S S^T||_F^2} per sample via the smaller Gram matrix ({@code N x N} when N < C); for a vector
     * representation (N = 1) it is {@code (s . s)^2}.
     */
    private static SDVariable affinityNormSq(SameDiff sd, SDVariable s, long channels, long positions) {
        if (positions == 1) return sd.math.square(sd.math.square(s).sum(1, 2));
        SDVariable g = positions <= channels ? sd.mmul(s, s, true, false, false) : sd.mmul(s, s, false, true, false);
        return sd.math.square(g).sum(1, 2);
    }

    private static SDVariable safeNorm(SameDiff sd, SDVariable squared) {
        return sd.math.sqrt(sd.math.max(squared, sd.constant(NORM_FLOOR_SQ).castTo(squared.dataType())));
    }

    /** A runtime shape vector: {@code -1} entries take the batch size, the others are fixed. */
    private static SDVariable shape(SameDiff sd, SDVariable batch, long... dims) {
        SDVariable[] parts = new SDVariable[dims.length];
        for (int i = 0; i < dims.length; i++)
            parts[i] = dims[i] < 0 ? batch.castTo(DataType.INT64) : sd.constant(Nd4j.createFromArray(dims[i]));
        return sd.concat(0, parts);
    }
}
