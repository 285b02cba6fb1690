package io.github.repmtl.samediff.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.function.UnaryOperator;

/**
 * Closed-form input gradients of the losses built by {@link TaskLosses}, remembered per graph so that the
 * input-gradient builder can emit, for example, {@code (softmax - onehot) * valid / count} as a handful of ops
 * instead of differentiating the loss's elementary ops one by one. Purely an optimisation: a graph loaded
 * from disk has no entries and is differentiated op by op, with the same result.
 */
public final class ClosedFormGradients {
    /** The loss's prediction input and its gradient given the gradient arriving at the loss. */
    public record Entry(String prediction, UnaryOperator<SDVariable> gradient) {}

    private static final Map<SameDiff, Map<String, Entry>> ENTRIES = new WeakHashMap<>();

    private ClosedFormGradients() {}

    static synchronized void register(SameDiff sd, String loss, String prediction, UnaryOperator<SDVariable> gradient) {
        ENTRIES.computeIfAbsent(sd, k -> new HashMap<>()).put(loss, new Entry(prediction, gradient));
    }

    public static synchronized Optional<Entry> lookup(SameDiff sd, String loss) {
        Map<String, Entry> m = ENTRIES.get(sd);
        return m == null ? Optional.empty() : Optional.ofNullable(m.get(loss));
    }
}
