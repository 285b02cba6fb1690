package io.github.repmtl.samediff.regularizer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static io.github.repmtl.samediff.util.FastGraphOps.scalar;
import static io.github.repmtl.samediff.util.FastGraphOps.square;

/**
 * CSA, cross-task saliency alignment (REP-MTL.md "CSA"): per sample, each task's affinity
 * {@code M_t = S_t S_t^T} and the anchor affinity {@code Ahat = A A^T} ({@code A} = spatial means of all
 * tasks' saliencies) are compared by cosine similarity inside a contrastive loss with temperature tau.
 *
 * <p>No {@code C x C} matrix is ever formed: with {@code <U U^T, V V^T>_F = ||U^T V||_F^2} every similarity
 * is computed from {@code T x N}, {@code T x T} or {@code min(C, N)}-sized Gram matrices, for all tasks at once
 * on the stacked saliencies. Norms are {@code sqrt(max(||x||^2, 1e-24))}, finite with a finite gradient at zero
 * saliency. A batch of one sample gives {@code L_csa = 0}.
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
        SDVariable stacked = sd.stack(1, saliencies.toArray(new SDVariable[0]));
        return build(sd, name, stacked, saliencies.size(), channels, positions, tau, variant);
    }

    /**
     * @param stacked the saliencies stacked on axis 1, {@code [B, T, C, N]}
     * @param tasks   T
     */
    static SDVariable build(SameDiff sd, String name, SDVariable stacked, int tasks, long channels, long positions,
                            double tau, CsaVariant variant) {
        DataType dt = stacked.dataType();
        SDVariable shape = sd.shape(stacked);                                        // [B, T, C, N] at run time

        // anchor A: [B, T, C] (row u of A_b^T is the spatial mean a_u[b]); per-sample Gram A_b^T A_b: [B, T, T]
        SDVariable anchor = positions == 1 ? sd.reshape(stacked, -1, tasks, channels) : stacked.mean(3);
        SDVariable pairGram = sd.mmul(anchor, anchor, false, true, false);

        // cross[b, t] = <Ahat_b, M_t[b]> = ||A_b^T S_t[b]||_F^2; ||Ahat_b||^2 = ||A_b^T A_b||_F^2
        SDVariable cross, anchorNormSq, taskNormSq;
        if (positions == 1) {
            cross = square(pairGram).sum(1);                                   // [B, T]
            anchorNormSq = cross.sum(1);                                               // [B]
            SDVariable selfDot = pairGram.mul(sd.constant(Nd4j.eye(tasks).castTo(dt))).sum(2);   // s_t . s_t, [B, T]
            taskNormSq = square(selfDot);                                      // ||s s^T||^2 = (s . s)^2
        } else {
            anchorNormSq = square(pairGram).sum(1, 2);
            SDVariable perTask = sd.reshape(stacked, -1, channels, positions);                                  // [B*T, C, N]
            if (positions <= channels) {
                SDVariable gram = sd.mmul(perTask, perTask, true, false, false);                                // [B*T, N, N]
                taskNormSq = sd.reshape(square(gram).sum(1, 2), -1, tasks);                           // [B, T]
                SDVariable byChannel = sd.reshape(sd.permute(stacked, 0, 2, 1, 3), -1, channels, tasks * positions);   // [B, C, T*N]
                SDVariable products = sd.mmul(anchor, byChannel);                                               // [B, T_u, T*N]
                cross = sd.reshape(square(products), -1, tasks, tasks, positions).sum(1, 3);            // [B, T]
            } else {
                // with the C x C Gram G_t = S_t S_t^T at hand: ||A_b^T S_t||_F^2 = <A_b A_b^T, G_t>_F (A_b^T = the anchor rows)
                SDVariable gram = sd.mmul(perTask, perTask, false, true, false);                                // [B*T, C, C]
                taskNormSq = sd.reshape(square(gram).sum(1, 2), -1, tasks);                           // [B, T]
                SDVariable anchorGram = sd.reshape(sd.mmul(anchor, anchor, true, false, false), -1, channels * channels, 1);   // [B, C*C, 1]
                cross = sd.reshape(sd.mmul(sd.reshape(gram, -1, tasks, channels * channels), anchorGram), -1, tasks);      // [B, T]
            }
        }
        SDVariable anchorNorm = safeNorm(sd, anchorNormSq);                            // [B]
        SDVariable taskNorm = safeNorm(sd, taskNormSq);                                // ||M_t[b]||, [B, T]

        SDVariable eye = sd.math.diag(sd.onesLike(anchorNorm));                        // [B, B]
        SDVariable offDiagonal = eye.rsub(1.0);
        SDVariable hasPairs = sd.math.min(offDiagonal.sum(), scalar(sd, 1.0, dt));
        SDVariable rows = sd.reshape(anchor, -1, channels);                            // [(B*T), C], row (b, u) = a_u[b]

        SDVariable loss;
        if (variant == CsaVariant.PAPER) {
            // <Ahat_b, Ahat_k> = ||A_b^T A_k||_F^2 from the (B*T) x (B*T) Gram of anchor columns
            SDVariable gram = sd.mmul(rows, rows, false, true, false);
            SDVariable gram4 = sd.reshape(gram, sd.gather(shape, new int[]{0, 1, 0, 1}, 0));
            SDVariable anchorDot = square(gram4).sum(1, 3);                    // [B, B]
            SDVariable anchorSim = anchorDot.div(sd.expandDims(anchorNorm, 1)).div(sd.expandDims(anchorNorm, 0));
            // -(1/T) sum_t (1/B) sum_b sim(z^a_b, z^t_b) / tau
            SDVariable positive = cross.div(sd.expandDims(anchorNorm, 1)).div(taskNorm).mean().div(-tau);
            loss = positive.add(offDiagonalLogSumExp(sd, anchorSim.div(tau), eye, offDiagonal, hasPairs, tau).mean());
        } else {
            loss = infoNce(sd, rows, stacked, shape, channels, anchorNorm, taskNorm, eye, tau);
        }
        return loss.mul(name, hasPairs);
    }

    /**
     * InfoNCE for all tasks: logits {@code [t, b, k] = sim(z^t_b, z^a_k) / tau}, cross-entropy with target k = b,
     * averaged over t and b. {@code <M_t[b], Ahat_k> = ||A_k^T S_t[b]||_F^2} for every (k, t, b) comes from one
     * product of the anchor rows with all saliency columns.
     */
    private static SDVariable infoNce(SameDiff sd, SDVariable anchorRows, SDVariable stacked, SDVariable shape, long channels,
                                      SDVariable anchorNorm, SDVariable taskNorm, SDVariable eye, double tau) {
        SDVariable cols = sd.reshape(sd.permute(stacked, 2, 1, 0, 3), channels, -1);           // [C, (T*B*N)]
        SDVariable prod = sd.mmul(anchorRows, cols);                                           // [(B_k*T_u), (T*B_b*N)]
        SDVariable prod5 = sd.reshape(prod, sd.gather(shape, new int[]{0, 1, 1, 0, 3}, 0));    // [B_k, T_u, T, B_b, N]
        SDVariable dots = sd.permute(square(prod5).sum(1, 4), 1, 2, 0);                // [T, B_b, B_k]
        SDVariable logits = dots.div(sd.expandDims(sd.permute(taskNorm, 1, 0), 2)).div(sd.expandDims(sd.expandDims(anchorNorm, 0), 0)).div(tau);
        SDVariable max = logits.max(true, 2);
        SDVariable lse = sd.math.log(sd.math.exp(logits.sub(max)).sum(true, 2)).add(max);     // [T, B, 1]
        SDVariable positive = logits.mul(eye).sum(true, 2);
        return lse.sub(positive).mean();
    }

    /**
     * Row-wise {@code ln sum_{k != b} exp(x[b, k])} for {@code x = sim / tau} in {@code [-1/tau, 1/tau]},
     * computed stably; rows without a pair give a finite value (the caller multiplies the loss by
     * {@code hasPairs = 0} then).
     */
    private static SDVariable offDiagonalLogSumExp(SameDiff sd, SDVariable x, SDVariable eye, SDVariable offDiagonal,
                                                   SDVariable hasPairs, double tau) {
        SDVariable masked = x.sub(eye.mul(2.0 / tau + 1.0));                         // the diagonal drops below every pair
        SDVariable max = masked.max(true, 1);
        SDVariable sum = sd.math.exp(masked.sub(max)).mul(offDiagonal).sum(true, 1);
        SDVariable safeSum = sum.add(hasPairs.rsub(1.0));                            // log(1) = 0 when B < 2
        return sd.math.log(safeSum).add(max);
    }

    private static SDVariable safeNorm(SameDiff sd, SDVariable squared) {
        return sd.math.sqrt(sd.math.max(squared, scalar(sd, NORM_FLOOR_SQ, squared.dataType())));
    }
}
