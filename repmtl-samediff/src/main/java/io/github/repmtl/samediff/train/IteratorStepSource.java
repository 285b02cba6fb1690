package io.github.repmtl.samediff.train;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.List;

/**
 * Steps from DL4J iterators in this JVM: one iterator with a label array per task (single-input models), or one
 * iterator per task (multi-input models), where an epoch has {@code max_t} steps and shorter iterators restart,
 * as in LibMTL.
 */
final class IteratorStepSource implements StepSource {
    private final TrainingGraph graph;
    private final MultiDataSetIterator single;
    private final List<MultiDataSetIterator> perTask;

    IteratorStepSource(TrainingGraph graph, MultiDataSetIterator single, List<MultiDataSetIterator> perTask) {
        if ((single == null) == (perTask == null)) throw new IllegalArgumentException("give exactly one of a single iterator or one iterator per task");
        this.graph = graph;
        this.single = single;
        this.perTask = perTask;
    }

    @Override public int batchesPerEpoch() {
        reset();
        int max = 0;
        List<MultiDataSetIterator> its = single != null ? List.of(single) : perTask;
        for (int t = 0; t < its.size(); t++) {
            int n = 0;
            MultiDataSetIterator it = its.get(t);
            while (it.hasNext()) {
                it.next();
                n++;
            }
            if (n == 0) throw new IllegalArgumentException(single != null ? "training iterator is empty"
                    : "training iterator of task '" + graph.model().taskNames().get(t) + "' is empty");
            max = Math.max(max, n);
        }
        return max;
    }

    @Override public void reset() {
        if (single != null) single.reset();
        else perTask.forEach(MultiDataSetIterator::reset);
    }

    @Override public boolean hasNext() { return single == null || single.hasNext(); }

    @Override public StepData next(String where) {
        if (single != null) return new LocalStepData(graph, graph.feed(single.next(), where));
        List<MultiDataSet> per = new ArrayList<>();
        for (MultiDataSetIterator it : perTask) {
            if (!it.hasNext()) it.reset();                                 // shorter iterators restart (LibMTL)
            per.add(it.next());
        }
        return new LocalStepData(graph, graph.feedPerTask(per, where));
    }
}
