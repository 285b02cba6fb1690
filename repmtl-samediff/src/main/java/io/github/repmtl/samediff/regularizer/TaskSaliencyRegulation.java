package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.util.FastGraphOps;
import io.github.repmtl.samediff.util.HostArrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * TSR, task-specific saliency regulation (REP-MTL.md "TSR"; the paper's entropy penalty): per position
 * {@code i = (b, h, w)}, the channel-mean saliency magnitudes of the tasks are normalised into a distribution
 * {@code P_{i,t}} whose entropy is averaged over all positions. Minimising it makes each position salient
 * for few tasks. All tasks are handled by the same few ops on the stacked saliencies.
 *
 * <p>Two forms of the same definition: {@link #build} adds it to a graph (SameDiff differentiates it), and
 * {@link #evaluate} computes value and gradient on arrays ({@link RegularizerPlacement#HOST}).
 */
public final class TaskSaliencyRegulation {
    /** The [choice] epsilon added to every magnitude, so {@code P} and {@code ln P} stay finite. */
    public static final double EPS = 1e-12;

    private TaskSaliencyRegulation() {}

    /**
     * @param saliencies {@code S_t} per task, each {@code [B, C, N]} (N = H*W, 1 for vectors), same shape
     * @return the scalar {@code L_tsr}
     */
    public static SDVariable build(SameDiff sd, String name, List<SDVariable> saliencies) {
        return build(sd, name, sd.stack(1, saliencies.toArray(new SDVariable[0])), saliencies.size());
    }

    /**
     * @param stacked the saliencies stacked on axis 1, {@code [B, T, C, N]}
     * @param tasks   T
     * @return the scalar {@code L_tsr}
     */
    static SDVariable build(SameDiff sd, String name, SDVariable stacked, int tasks) {
        SDVariable a = sd.math.abs(stacked.mean(2)).add(EPS);             // |Sh_t| + eps, [B, T, N]
        // a / sum_t a as a same-shape product: M2.1's backward of a broadcasting divide costs milliseconds even on
        // a few hundred entries
        SDVariable p = a.mul(FastGraphOps.spread(a.sum(true, 1).rdiv(1.0), sd.zerosLike(a)));
        // -(1/(B N)) sum_{b,t,n} p ln p = -T * mean(p ln p)
        return p.mul(sd.math.log(p)).mean().mul(name, -tasks);
    }

    /**
     * Value and gradient on arrays. With {@code a = |Sh| + eps}, {@code A = sum_t a}, {@code P = a / A} and the
     * entropy {@code H = -sum_t P ln P} of a position: {@code dH/da_t = (-ln P_t - H) / A}, then
     * {@code d|x|/dx = sign(x)} (0 at 0) and the channel mean spreads {@code 1/C} over the channels.
     *
     * @param stacked the saliencies {@code [B, T, C, N]}
     */
    public static ValueAndGradient evaluate(INDArray stacked) {
        int b = (int) stacked.size(0), t = (int) stacked.size(1), c = (int) stacked.size(2), n = (int) stacked.size(3);
        double[] perPosition = new double[b * t * n];
        double value = evaluate(HostArrays.toDoubles(stacked), b, t, c, n, perPosition);
        INDArray spread = HostArrays.write(perPosition, stacked.dataType(), b, t, 1, n);
        INDArray gradient = Nd4j.zeros(stacked.dataType(), stacked.shape()).addi(spread);
        spread.close();
        return new ValueAndGradient(value, gradient);
    }

    /**
     * The same on Java arrays: {@code s} holds {@code [B, T, C, N]} in C order; {@code perPosition} receives the
     * gradient {@code [B, T, N]}, which is the same for every channel. Returns {@code L_tsr}.
     */
    static double evaluate(double[] s, int b, int t, int c, int n, double[] perPosition) {
        double[] mean = new double[n];
        for (int bt = 0; bt < b * t; bt++) {                                        // Sh, kept in perPosition for now
            java.util.Arrays.fill(mean, 0.0);
            for (int ci = 0, at = bt * c * n; ci < c; ci++, at += n)
                for (int ni = 0; ni < n; ni++) mean[ni] += s[at + ni];
            for (int ni = 0; ni < n; ni++) perPosition[bt * n + ni] = mean[ni] / c;
        }
        return fromMeans(perPosition, b, t, c, n);
    }

    /**
     * From the channel means {@code Sh [B, T, N]} (C order), which {@code meansInGradientOut} holds on entry and
     * which are replaced by the gradient {@code dL/dS [B, T, N]} (the same for every channel). Returns {@code L_tsr}.
     */
    static double fromMeans(double[] meansInGradientOut, int b, int t, long c, int n) {
        double[] perPosition = meansInGradientOut;
        double[] a = new double[t], logP = new double[t];
        double value = 0;
        for (int bi = 0; bi < b; bi++) {
            for (int ni = 0; ni < n; ni++) {
                double total = 0;
                for (int ti = 0; ti < t; ti++) {
                    a[ti] = Math.abs(perPosition[(bi * t + ti) * n + ni]) + EPS;
                    total += a[ti];
                }
                double entropy = 0;
                for (int ti = 0; ti < t; ti++) {
                    double p = a[ti] / total;
                    logP[ti] = Math.log(p);
                    entropy -= p * logP[ti];
                }
                value += entropy;
                for (int ti = 0; ti < t; ti++) {
                    int at = (bi * t + ti) * n + ni;
                    perPosition[at] = (-logP[ti] - entropy) / total * Math.signum(perPosition[at]) / ((double) b * n * c);
                }
            }
        }
        return value / ((double) b * n);
    }
}
