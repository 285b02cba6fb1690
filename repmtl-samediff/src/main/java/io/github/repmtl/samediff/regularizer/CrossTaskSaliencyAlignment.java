package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.util.HostArrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 *
 * <p>Two forms of the same definition: {@link #build} adds it to a graph (SameDiff differentiates it), and
 * {@link #evaluate} computes value and gradient on arrays ({@link RegularizerPlacement#HOST}).
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

    /**
     * Value and gradient on arrays, for either variant. The loss depends on the saliencies only through
     * {@code <Ahat_b, Ahat_k>} ({@code B x B}), {@code <Ahat_k, M_t[b]>} ({@code B x T x B}) and
     * {@code ||M_t[b]||^2} ({@code B x T}); those and the loss's derivatives with respect to them are computed in
     * double precision ({@link Summaries}), and carried back to the saliencies through matrix products.
     *
     * @param stacked the saliencies {@code [B, T, C, N]}
     */
    public static ValueAndGradient evaluate(INDArray stacked, double tau, CsaVariant variant) {
        return evaluate(stacked, tau, variant, new ScratchArrays());
    }

    static ValueAndGradient evaluate(INDArray stacked, double tau, CsaVariant variant, ScratchArrays scratch) {
        if (stacked.size(0) < 2) return new ValueAndGradient(0.0, Nd4j.zeros(stacked.dataType(), stacked.shape()));
        INDArray s = HostArrays.cOrder(stacked);
        long c = s.size(2), n = s.size(3);
        ValueAndGradient out = n == 1 ? (variant == CsaVariant.PAPER ? paperVectors(s, tau, scratch) : vectors(s, tau, variant, scratch))
                : n > c ? channelGrams(s, tau, variant, scratch) : positionGrams(s, tau, variant, scratch);
        if (s != stacked) s.close();
        return out;
    }

    /**
     * {@code N = 1}: with the saliency rows {@code R = [(B T), C]} (which are also the anchor rows) every quantity
     * is a sum of squares of entries of the Gram {@code Q = R R^T}, and the gradient is {@code (D + D^T) R} for
     * {@code D = dL/dQ} (entries of {@code Q} taken as independent): two BLAS products. Any variant; the paper
     * variant takes the cheaper {@link #paperVectors}.
     */
    private static ValueAndGradient vectors(INDArray stacked, double tau, CsaVariant variant, ScratchArrays scratch) {
        int b = (int) stacked.size(0), t = (int) stacked.size(1), c = (int) stacked.size(2), bt = b * t;
        DataType dt = stacked.dataType();
        INDArray rows = stacked.reshape(bt, c);
        INDArray gram = Nd4j.gemm(rows, rows, scratch.array("q", dt, bt, bt), false, true, 1.0, 0.0);
        double[] q = HostArrays.read(gram, scratch.get("q", bt * bt));
        Summaries m = new Summaries(b, t, scratch);
        double[] pairDots = m.pairDots, dots = m.dots, taskSq = m.taskSq;
        for (int i = 0; i < b; i++)
            for (int u = 0; u < t; u++) {
                int row = (i * t + u) * bt;
                for (int v = 0; v < t; v++) {
                    int dotRow = (i * t + v) * b;
                    for (int k = 0; k < b; k++) {
                        double sq = sq(q[row + k * t + v]);
                        pairDots[i * b + k] += sq;                                     // sum_{u,v} Q[(b,u),(k,v)]^2
                        dots[dotRow + k] += sq;                                        // [k, t, b] = sum_u (a_u[k] . s_t[b])^2
                    }
                }
                taskSq[i * t + u] = sq(q[row + i * t + u]);                            // (s . s)^2
            }
        double value = m.loss(variant, tau);
        double[] gDots = m.gDots, dotsT = m.dotsGradientBySample(), pairSym = m.symmetricPairGradient(1.0);
        double[] dq = scratch.get("dq", bt * bt);                                      // D + D^T (Q is symmetric)
        for (int i = 0; i < b; i++)
            for (int u = 0; u < t; u++) {
                int row = (i * t + u) * bt, transposedRow = (i * t + u) * b;
                for (int v = 0; v < t; v++) {
                    int dotRow = (i * t + v) * b;
                    for (int k = 0; k < b; k++) {
                        int at = row + k * t + v;
                        dq[at] = 2 * q[at] * (pairSym[i * b + k] + gDots[dotRow + k] + dotsT[transposedRow + k]);
                    }
                }
                dq[row + i * t + u] += 4 * q[row + i * t + u] * m.gTaskSq[i * t + u];
            }
        INDArray gradient = Nd4j.gemm(HostArrays.write(dq, scratch.array("dq", dt, bt, bt)), rows, false, false);
        return new ValueAndGradient(value, gradient.reshape(stacked.shape()));
    }

    /**
     * {@code N = 1}, paper variant: only the anchor pairs need the whole Gram {@code Q = R R^T}; its block sums
     * of squares and the pair part of the gradient, {@code 2 (Q * (gPair + gPair^T)) R} block-wise, are array ops,
     * and the per-sample quantities (the diagonal blocks: positives and task norms) are computed in Java.
     */
    private static ValueAndGradient paperVectors(INDArray stacked, double tau, ScratchArrays scratch) {
        int b = (int) stacked.size(0), t = (int) stacked.size(1), c = (int) stacked.size(2), bt = b * t;
        DataType dt = stacked.dataType();
        INDArray rows = stacked.reshape(bt, c);
        INDArray q4 = Nd4j.gemm(rows, rows, scratch.array("q", dt, bt, bt), false, true, 1.0, 0.0).reshape(b, t, b, t);
        INDArray squares = q4.mul(q4);
        INDArray pair = squares.sum(1, 3);
        Summaries m = new Summaries(b, t, scratch);
        HostArrays.read(pair, m.pairDots);                                              // <Ahat_b, Ahat_k>
        close(squares, pair);
        double[] r = HostArrays.read(rows, scratch.get("rows", bt * c));
        double[] block = scratch.get("block", b * t * t);                             // diagonal blocks Q[(b,u),(b,v)]
        for (int i = 0; i < b; i++)
            for (int u = 0; u < t; u++)
                for (int v = 0; v < t; v++) {
                    double dot = 0;
                    for (int ci = 0, x = (i * t + u) * c, y = (i * t + v) * c; ci < c; ci++) dot += r[x + ci] * r[y + ci];
                    block[(i * t + u) * t + v] = dot;
                }
        for (int i = 0; i < b; i++)
            for (int v = 0; v < t; v++) {
                double dot = 0;                                                         // <Ahat_b, M_v[b]> = sum_u (a_u . s_v)^2
                for (int u = 0; u < t; u++) dot += sq(block[(i * t + u) * t + v]);
                m.dots[(i * t + v) * b + i] = dot;
                m.taskSq[i * t + v] = sq(block[(i * t + v) * t + v]);                  // (s . s)^2
            }
        double value = m.loss(CsaVariant.PAPER, tau);                                  // gDots is zero off the diagonal

        INDArray weights = HostArrays.write(m.symmetricPairGradient(2.0), dt, b, 1, b, 1);
        q4.muli(weights);
        INDArray pairGradient = Nd4j.gemm(q4.reshape(bt, bt), rows, false, false);
        double[] gradient = HostArrays.read(pairGradient, scratch.get("csaGradient", bt * c));
        close(weights, pairGradient);
        for (int i = 0; i < b; i++)                                                     // + (E + E^T) R on the diagonal blocks
            for (int u = 0; u < t; u++)
                for (int v = 0; v < t; v++) {
                    double q = block[(i * t + u) * t + v];
                    double e = 2 * q * (m.gDots[(i * t + v) * b + i] + m.gDots[(i * t + u) * b + i]) + (u == v ? 4 * q * m.gTaskSq[i * t + u] : 0);
                    for (int ci = 0, x = (i * t + u) * c, y = (i * t + v) * c; ci < c; ci++) gradient[x + ci] += e * r[y + ci];
                }
        return new ValueAndGradient(value, HostArrays.write(gradient, dt, stacked.shape()));
    }

    /**
     * {@code N > C}: with the per-saliency channel Grams {@code M_t[b] = U U^T} and the anchor Grams
     * {@code Ahat_b}, all {@code C x C}, every quantity is a Frobenius product of those; the gradient is
     * {@code 2 dM U} per saliency plus the anchor's {@code 2 dAhat A}.
     */
    private static ValueAndGradient channelGrams(INDArray stacked, double tau, CsaVariant variant, ScratchArrays scratch) {
        int b = (int) stacked.size(0), t = (int) stacked.size(1), c = (int) stacked.size(2), n = (int) stacked.size(3), bt = b * t;
        long cc = (long) c * c;
        DataType dt = stacked.dataType();
        INDArray perTask = stacked.reshape(bt, c, n);
        INDArray anchors = stacked.mean(3);                                            // [B, T, C], row u = a_u[b]
        INDArray taskGram = Nd4j.matmul(perTask, perTask, false, true, false);         // M_t[b], [B T, C, C]
        INDArray anchorGram = Nd4j.matmul(anchors, anchors, true, false, false);       // Ahat_b, [B, C, C]
        INDArray taskFlat = taskGram.reshape(bt, cc), anchorFlat = anchorGram.reshape(b, cc);
        Summaries m = new Summaries(b, t, scratch);
        INDArray pair = Nd4j.gemm(anchorFlat, anchorFlat, false, true);                // [B, B]
        INDArray cross = Nd4j.gemm(anchorFlat, taskFlat, false, true);                 // [B_k, (b, t)]
        INDArray norms = taskFlat.mul(taskFlat).sum(1);                                // [(b, t)]
        HostArrays.read(pair, m.pairDots);
        HostArrays.read(norms, m.taskSq);
        double[] crossFlat = HostArrays.read(cross, scratch.get("cross", b * bt));
        for (int k = 0; k < b; k++) for (int i = 0; i < b; i++) for (int u = 0; u < t; u++) m.dots[(k * t + u) * b + i] = crossFlat[k * bt + i * t + u];
        close(pair, cross, norms);
        double value = m.loss(variant, tau);

        INDArray wArr = HostArrays.write(m.dotsGradientBySample(), dt, bt, b);          // W[(b, t), k] = gDots[k, t, b]
        INDArray pairArr = HostArrays.write(m.symmetricPairGradient(1.0), dt, b, b), normArr = HostArrays.write(m.gTaskSq, dt, bt, 1);
        // dL/dM_t[b] = 2 gTaskSq M + sum_k gDots[k,t,b] Ahat_k;  dL/dAhat_k = sum_b gPairSym[k,b] Ahat_b + sum_(b,t) gDots[k,t,b] M_t[b]
        INDArray dTask = Nd4j.gemm(wArr, anchorFlat, false, false).addi(taskFlat.mul(normArr).muli(2.0));
        INDArray dAnchor = Nd4j.gemm(pairArr, anchorFlat, false, false);
        Nd4j.gemm(wArr, taskFlat, dAnchor, true, false, 1.0, 1.0);
        close(wArr, pairArr, normArr, taskGram, anchorGram);
        INDArray gradient = Nd4j.matmul(dTask.reshape(bt, c, c), perTask).muli(2.0).reshape(b, t, c, n);   // both Grams symmetric
        INDArray anchorGrad = Nd4j.matmul(anchors, dAnchor.reshape(b, c, c)).muli(2.0 / n);                 // [B, T, C]
        gradient.addi(anchorGrad.reshape(b, t, c, 1));                                  // anchor = spatial mean
        close(dTask, dAnchor, anchorGrad, anchors);
        return new ValueAndGradient(value, gradient);
    }

    /**
     * {@code 1 < N <= C}: anchors are spatial means; {@code <Ahat_k, M_t[b]> = ||A_k^T S_t[b]||_F^2} from the
     * product of the anchor rows with all saliency columns, {@code ||M_t[b]||^2} from the {@code N x N} Grams.
     */
    private static ValueAndGradient positionGrams(INDArray stacked, double tau, CsaVariant variant, ScratchArrays scratch) {
        int b = (int) stacked.size(0), t = (int) stacked.size(1), c = (int) stacked.size(2), n = (int) stacked.size(3);
        DataType dt = stacked.dataType();
        INDArray anchors = stacked.mean(3);
        INDArray rows = anchors.reshape(b * t, c);                                     // row (b, u) = a_u[b]
        INDArray rowGram = Nd4j.gemm(rows, rows, false, true);
        INDArray q4 = rowGram.reshape(b, t, b, t);
        Summaries m = new Summaries(b, t, scratch);
        INDArray pair = q4.mul(q4).sum(1, 3);
        HostArrays.read(pair, m.pairDots);                                              // <Ahat_b, Ahat_k>
        INDArray perTask = stacked.reshape(b * t, c, n);
        INDArray gram = Nd4j.matmul(perTask, perTask, true, false, false);              // [B T, N, N]
        INDArray norms = gram.mul(gram).sum(1, 2);
        HostArrays.read(norms, m.taskSq);                                               // ||M_t[b]||^2
        INDArray cols = stacked.permute(2, 1, 0, 3).dup('c');
        INDArray colsFlat = cols.reshape(c, (long) t * b * n);
        INDArray products = Nd4j.gemm(rows, colsFlat, false, false);
        INDArray p5 = products.reshape(b, t, t, b, n);                                 // [B_k, T_u, T, B_b, N]
        INDArray dotArr = p5.mul(p5).sum(1, 4);
        HostArrays.read(dotArr, m.dots);                                                // [B_k, T, B_b]
        close(pair, norms, dotArr);
        double value = m.loss(variant, tau);

        // back through the products; d||X||^2 = 2 X dX
        INDArray gDots = HostArrays.write(m.gDots, dt, b, 1, t, b, 1);
        INDArray dP = p5.muli(gDots).muli(2.0).reshape(b * t, (long) t * b * n);
        INDArray dRows = Nd4j.gemm(dP, colsFlat, false, true);
        INDArray dCols = Nd4j.gemm(rows, dP, true, false);
        INDArray gradient = dCols.reshape(c, t, b, n).permute(2, 1, 0, 3).dup('c');
        INDArray gPair = HostArrays.write(m.symmetricPairGradient(2.0), dt, b, 1, b, 1);
        INDArray dQ = q4.muli(gPair).reshape(b * t, b * t);                            // D + D^T (Q is symmetric)
        Nd4j.gemm(dQ, rows, dRows, false, false, 1.0, 1.0);
        gradient.addi(dRows.reshape(b, t, c, 1).divi((double) n));                     // anchor = spatial mean
        INDArray gTask = HostArrays.write(m.gTaskSq, dt, b * t, 1, 1);
        INDArray taskNormGrad = Nd4j.matmul(perTask, gram).muli(gTask).muli(4.0);      // ||U^T U||^2 -> 4 U G
        gradient.addi(taskNormGrad.reshape(b, t, c, n));
        close(anchors, rowGram, gram, cols, products, gDots, dRows, dCols, gPair, gTask, taskNormGrad);
        return new ValueAndGradient(value, gradient);
    }

    /**
     * The quantities CSA depends on ({@code pairDots [B, B]}, {@code dots [k, t, b]}, {@code taskSq [B, T]}),
     * its value, and its derivatives with respect to them, in double precision.
     */
    private static final class Summaries {
        final int b, t;
        final double[] pairDots, taskSq, dots, gPair, gDots, gTaskSq;
        private final ScratchArrays scratch;

        Summaries(int b, int t, ScratchArrays scratch) {
            this.b = b;
            this.t = t;
            this.scratch = scratch;
            pairDots = scratch.zeros("pairDots", b * b);
            taskSq = scratch.zeros("taskSq", b * t);
            dots = scratch.zeros("dots", b * t * b);
            gPair = scratch.zeros("gPair", b * b);
            gDots = scratch.zeros("gDots", b * t * b);
            gTaskSq = scratch.zeros("gTaskSq", b * t);
        }

        /** {@code scale * (gPair + gPair^T)}, {@code [B, B]} (after {@link #loss}). */
        double[] symmetricPairGradient(double scale) {
            double[] out = scratch.get("pairSym", b * b);
            for (int i = 0; i < b; i++) for (int k = 0; k < b; k++) out[i * b + k] = scale * (gPair[i * b + k] + gPair[k * b + i]);
            return out;
        }

        /** {@code gDots} with the anchor and the sample index swapped: {@code [b, t, k]} (after {@link #loss}). */
        double[] dotsGradientBySample() {
            double[] out = scratch.get("gDotsBySample", b * t * b);
            for (int k = 0; k < b; k++) for (int u = 0; u < t; u++) for (int i = 0; i < b; i++) out[(i * t + u) * b + k] = gDots[(k * t + u) * b + i];
            return out;
        }

        /** Computes the loss and fills {@code gPair}, {@code gDots} and {@code gTaskSq}. */
        double loss(CsaVariant variant, double tau) {
            double[] anchorNorm = new double[b], gAnchorNorm = new double[b];
            double[] taskNorm = new double[b * t], gTaskNorm = new double[b * t];
            for (int i = 0; i < b; i++) anchorNorm[i] = safeNorm(pairDots[i * b + i]);
            for (int i = 0; i < b * t; i++) taskNorm[i] = safeNorm(taskSq[i]);
            double value = variant == CsaVariant.PAPER ? paperLoss(anchorNorm, taskNorm, tau, gAnchorNorm, gTaskNorm)
                    : infoNceLoss(anchorNorm, taskNorm, tau, gAnchorNorm, gTaskNorm);
            for (int i = 0; i < b; i++) gPair[i * b + i] += gAnchorNorm[i] * normDerivative(pairDots[i * b + i], anchorNorm[i]);
            for (int i = 0; i < b * t; i++) gTaskSq[i] = gTaskNorm[i] * normDerivative(taskSq[i], taskNorm[i]);
            return value;
        }

        /** The paper variant (Eq. 9 averaged over tasks). */
        private double paperLoss(double[] anchorNorm, double[] taskNorm, double tau, double[] gAnchorNorm, double[] gTaskNorm) {
            double loss = 0;
            double scale = 1.0 / (tau * t * b);
            double[] inverse = new double[b], x = new double[b], e = new double[b];
            for (int i = 0; i < b; i++) inverse[i] = 1.0 / anchorNorm[i];
            for (int i = 0; i < b; i++) {
                for (int u = 0; u < t; u++) {                                          // -sim(z^a_b, z^t_b) / tau
                    int at = (i * t + u) * b + i;
                    double sim = dots[at] * inverse[i] / taskNorm[i * t + u];
                    loss -= sim * scale;
                    gDots[at] -= scale * inverse[i] / taskNorm[i * t + u];
                    gAnchorNorm[i] += scale * sim * inverse[i];
                    gTaskNorm[i * t + u] += scale * sim / taskNorm[i * t + u];
                }
                double max = Double.NEGATIVE_INFINITY;                                 // ln sum_{k != b} exp(sim / tau)
                double scaleI = inverse[i] / tau;
                for (int k = 0; k < b; k++) {
                    x[k] = pairDots[i * b + k] * scaleI * inverse[k];
                    if (k != i) max = Math.max(max, x[k]);
                }
                double sum = 0;
                for (int k = 0; k < b; k++) {
                    e[k] = k == i ? 0 : Math.exp(x[k] - max);
                    sum += e[k];
                }
                loss += (Math.log(sum) + max) / b;
                double weight = 1.0 / (sum * b * tau);
                for (int k = 0; k < b; k++) {
                    if (k == i) continue;
                    double dSim = e[k] * weight;
                    double sim = x[k] * tau;
                    gPair[i * b + k] += dSim * inverse[i] * inverse[k];
                    gAnchorNorm[i] -= dSim * sim * inverse[i];
                    gAnchorNorm[k] -= dSim * sim * inverse[k];
                }
            }
            return loss;
        }

        /** InfoNCE over all tasks: logits {@code sim(z^t_b, z^a_k) / tau}, target {@code k = b}. */
        private double infoNceLoss(double[] anchorNorm, double[] taskNorm, double tau, double[] gAnchorNorm, double[] gTaskNorm) {
            double loss = 0;
            double scale = 1.0 / (t * b);
            double[] logits = new double[b];
            for (int u = 0; u < t; u++) {
                for (int i = 0; i < b; i++) {
                    double norm = taskNorm[i * t + u];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < b; k++) {
                        logits[k] = dots[(k * t + u) * b + i] / (norm * anchorNorm[k] * tau);
                        max = Math.max(max, logits[k]);
                    }
                    double sum = 0;
                    for (int k = 0; k < b; k++) sum += Math.exp(logits[k] - max);
                    loss += (Math.log(sum) + max - logits[i]) * scale;
                    for (int k = 0; k < b; k++) {
                        double dLogit = (Math.exp(logits[k] - max) / sum - (k == i ? 1 : 0)) * scale;
                        gDots[(k * t + u) * b + i] += dLogit / (norm * anchorNorm[k] * tau);
                        gTaskNorm[i * t + u] -= dLogit * logits[k] / norm;
                        gAnchorNorm[k] -= dLogit * logits[k] / anchorNorm[k];
                    }
                }
            }
            return loss;
        }
    }

    private static double safeNorm(double squared) { return Math.sqrt(Math.max(squared, NORM_FLOOR_SQ)); }

    /** d sqrt(max(x, floor)) / dx: zero where the floor is in force. */
    private static double normDerivative(double squared, double norm) { return squared > NORM_FLOOR_SQ ? 0.5 / norm : 0.0; }

    private static double sq(double x) { return x * x; }

    private static void close(INDArray... arrays) {
        for (INDArray a : arrays) a.close();
    }
}
