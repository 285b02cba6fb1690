package io.github.repmtl.samediff.regularizer;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * What {@link RepMtl#attachTo} added to a graph. All names are fixed and documented:
 * <ul>
 *   <li>{@code repmtl/term/<task>}: the objective term {@code l_t} ({@code log L_t} with the log transform);</li>
 *   <li>{@code repmtl/saliency/<task>}: the task saliency {@code S_t = dl_t/dZ}, shaped like {@code Z};</li>
 *   <li>{@code repmtl/task_weights}: constant {@code [T]} task weights {@code w_t} (1 by default; set with
 *       {@link #setTaskWeights});</li>
 *   <li>{@code repmtl/task_objective} = {@code sum_t w_t l_t}; {@code repmtl/tsr}, {@code repmtl/csa};
 *       {@code repmtl/regularizer} = {@code lambda_tsr L_tsr + lambda_csa L_csa};</li>
 *   <li>{@code repmtl/objective}: {@code J}, registered as the graph's loss variable;</li>
 *   <li>{@code repmtl/saliencies}: all saliencies stacked, {@code [B, T, C, N]} ({@code N = H*W}, 1 for vectors;
 *       multi-input mode: the first {@code min_t B_t} samples).</li>
 * </ul>
 * With {@link RegularizerPlacement#HOST}, {@code repmtl/tsr} and {@code repmtl/csa} are constants that
 * {@link HostRegularizer} sets whenever an execution computes the saliencies, and the regularizer is
 * {@code sum(S * repmtl/regularizer_gradient) + repmtl/regularizer_offset} (both constants set by it too): the
 * same values and gradients as with {@link RegularizerPlacement#GRAPH}.
 */
public final class RepMtlGraph {
    public static final String PREFIX = "repmtl/";
    public static final String OBJECTIVE = PREFIX + "objective";
    public static final String TASK_OBJECTIVE = PREFIX + "task_objective";
    public static final String REGULARIZER = PREFIX + "regularizer";
    public static final String TSR = PREFIX + "tsr";
    public static final String CSA = PREFIX + "csa";
    public static final String TASK_WEIGHTS = PREFIX + "task_weights";
    public static final String SALIENCIES = PREFIX + "saliencies";
    public static final String REGULARIZER_GRADIENT = PREFIX + "regularizer_gradient";
    public static final String REGULARIZER_OFFSET = PREFIX + "regularizer_offset";

    private final SameDiff sd;
    private final RepMtl config;
    private final RegularizerPlacement placement;
    private final HostRegularizer host;

    RepMtlGraph(SameDiff sd, RepMtl config, RegularizerPlacement placement, HostRegularizer host) {
        this.sd = sd;
        this.config = config;
        this.placement = placement;
        this.host = host;
    }

    public static String term(String task) { return PREFIX + "term/" + task; }

    public static String saliency(String task) { return PREFIX + "saliency/" + task; }

    public SameDiff sameDiff() { return sd; }

    public RepMtl config() { return config; }

    public RegularizerPlacement placement() { return placement; }

    public List<String> taskNames() { return config.taskNames(); }

    /**
     * Makes the next executions use epoch {@code epoch}'s {@code lambda_tsr}, {@code lambda_csa} and {@code tau} from
     * the configuration's {@link RepMtl#schedule()} (the trainer calls this for every step; a no-op for a constant
     * schedule, the only kind the GRAPH placement accepts).
     */
    public void useEpoch(int epoch) {
        if (host != null) host.use(config.schedule().at(epoch));
    }

    /** The hyperparameters the next executions use (fromEpoch 0). */
    public RepMtlSchedule.Segment hyperparameters() {
        return host != null ? host.current() : config.schedule().at(0).from(0);
    }

    /** Sets {@code w_t} for the next executions (loss-weighting strategies call this every step). */
    public void setTaskWeights(double... weights) {
        if (weights.length != config.taskNames().size())
            throw new IllegalArgumentException("expected " + config.taskNames().size() + " task weights " + config.taskNames() + ", got " + weights.length);
        for (int t = 0; t < weights.length; t++) {
            if (!Double.isFinite(weights[t]))
                throw new IllegalArgumentException("task weight of '" + config.taskNames().get(t) + "' is not finite: " + weights[t]);
        }
        sd.getVariable(TASK_WEIGHTS).getArr().assign(Nd4j.createFromArray(weights));
    }

    public double[] taskWeights() { return sd.getVariable(TASK_WEIGHTS).getArr().toDoubleVector(); }

    @Override
    public String toString() { return "RepMtlGraph" + config + " weights " + Arrays.toString(taskWeights()); }
}
