package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.util.FastGraphOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * TSR, task-specific saliency regulation (REP-MTL.md "TSR"; the paper's entropy penalty): per position
 * {@code i = (b, h, w)}, the channel-mean saliency magnitudes of the tasks are normalised into a distribution
 * {@code P_{i,t}} whose entropy is averaged over all positions. Minimising it makes each position salient
 * for few tasks. All tasks are handled by the same few ops on the stacked saliencies.
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
}
