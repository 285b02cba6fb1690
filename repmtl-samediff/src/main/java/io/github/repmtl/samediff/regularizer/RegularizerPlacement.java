package io.github.repmtl.samediff.regularizer;

/**
 * Where {@code lambda_tsr L_tsr + lambda_csa L_csa} is computed; both give the same objective and the same
 * exact second-order gradient.
 */
public enum RegularizerPlacement {
    /**
     * TSR and CSA are graph ops and SameDiff differentiates them: self-contained, works with {@code sd.fit(...)}
     * and any listeners. The default of {@link RepMtl#attachTo(org.nd4j.autodiff.samediff.SameDiff)}.
     */
    GRAPH,
    /**
     * TSR, CSA and their gradient {@code G = dR/dS} are computed on arrays by a listener ({@link HostRegularizer})
     * the moment an execution produces the saliencies; the graph carries {@code R = <G, S> + (R - <G, S>)} with
     * {@code G} and the offset as constants the listener sets, so its first-order gradient is
     * {@code sum_t <G_t, dS_t/dtheta>}, the exact second-order term. Faster (SameDiff runs far fewer ops), but the
     * listener must stay registered on the graph ({@code sd.setListeners(...)} would remove it: use
     * {@code addListeners}); until it runs, the regularizer's constants are NaN. {@code MultiTaskTrainer} uses it.
     */
    HOST
}
