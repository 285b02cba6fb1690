package io.github.repmtl.samediff.regularizer;

/** The two cross-task saliency alignment losses of the spec (REP-MTL.md, "CSA", step 4). */
public enum CsaVariant {
    /**
     * The paper's Eq. 9 as printed, averaged over tasks: {@code -sim(z^a_b, z^t_b)/tau} plus the log-sum-exp of
     * the anchor's similarities to the other samples' anchors.
     */
    PAPER,
    /** Standard InfoNCE (the pairs of the paper's Fig. 2): a B-way cross-entropy per task with target k = b. */
    INFONCE
}
