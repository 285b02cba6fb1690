package io.github.repmtl.samediff.regularizer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * TSR, task-specific saliency regulation (REP-MTL.md "TSR"; the paper's entropy penalty): per position
 * {@code i = (b, h, w)}, the channel-mean saliency magnitudes of the tasks are normalised into a distribution
 * {@code P_{i,t}} whose entropy is averaged over all positions. Minimising it makes each position salient
 * for few tasks.
 */
public final class TaskSaliencyRegulation {
    /** The [choice] epsilon added to every magnitude, so {@code P} and {@code ln P} stay finite. */
    public static final double EPS = 1e-12;

    private TaskSaliencyRegulation() {}

    /**
     * @param saliencies {@code S_t} per task, each {@code [B, C, H, W]} or {@code [B, C]}, same shape
     * @return the scalar {@code L_tsr}
     */
    public static SDVariable build(SameDiff sd, String name, List<SDVariable> saliencies) {
        SDVariable[] a = new SDVariable[saliencies.size()];
        SDVariable total = null;
        for (int t = 0; t < a.length; t++) {
            a[t] = sd.math.abs(saliencies.get(t).mean(1)).add(EPS);   // |Sh_t| + eps, [B, H, W] or [B]
            total = total == null ? a[t] : total.add(a[t]);
        }
        SDVariable entropy = null;
        for (SDVariable at : a) {
            SDVariable p = at.div(total);
            SDVariable term = p.mul(sd.math.log(p));
            entropy = entropy == null ? term : entropy.add(term);
        }
        return entropy.neg().mean(name);
    }
}
