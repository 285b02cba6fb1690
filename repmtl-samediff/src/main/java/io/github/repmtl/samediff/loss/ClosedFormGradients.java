package io.github.repmtl.samediff.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Closed-form input gradients of the losses built by {@link TaskLosses}, remembered per graph so that the
 * input-gradient builder can emit, for example, {@code (softmax - onehot) * valid / count} as a handful of ops
 * instead of differentiating the loss's elementary ops one by one. Purely an optimisation: a graph loaded
 * from disk has no entries and is differentiated op by op, with the same result.
 */
public final class ClosedFormGradients {
    /**
     * The loss's prediction input, its other input (target or labels: the closed form holds only while that
     * input does not depend on the variable being differentiated; {@code null} for a function of the prediction
     * alone, such as a normalisation) and its gradient given the gradient arriving at the loss.
     */
    public record Entry(String prediction, String target, UnaryOperator<SDVariable> gradient) {}

    /** Graphs are matched by identity (SameDiff's equals/hashCode follow its mutable contents) and held weakly. */
    private record Graph(WeakReference<SameDiff> graph, Map<String, Entry> entries) {}

    private static final List<Graph> GRAPHS = new ArrayList<>();

    private ClosedFormGradients() {}

    static synchronized void register(SameDiff sd, String loss, String prediction, String target, UnaryOperator<SDVariable> gradient) {
        Graph g = find(sd);
        if (g == null) {
            g = new Graph(new WeakReference<>(sd), new HashMap<>());
            GRAPHS.add(g);
        }
        g.entries().put(loss, new Entry(prediction, target, gradient));
    }

    public static synchronized Optional<Entry> lookup(SameDiff sd, String loss) {
        Graph g = find(sd);
        return g == null ? Optional.empty() : Optional.ofNullable(g.entries().get(loss));
    }

    private static Graph find(SameDiff sd) {
        GRAPHS.removeIf(g -> g.graph().get() == null);
        for (Graph g : GRAPHS) if (g.graph().get() == sd) return g;
        return null;
    }
}
