package io.github.repmtl.arbiter;

import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The iterators one candidate trains and is scored on: training and VALIDATION data, either single-input
 * (one iterator whose batches carry every task's labels, in task order) or multi-input (one iterator per task,
 * in task order), exactly as {@code MultiTaskTrainer} takes them. There is deliberately no test split.
 * {@link #close()} closes the iterators that hold resources (e.g. prefetching threads).
 */
public record CandidateData(MultiDataSetIterator train, MultiDataSetIterator validation,
                            List<MultiDataSetIterator> trainPerTask, List<MultiDataSetIterator> validationPerTask) implements AutoCloseable {
    public CandidateData {
        boolean single = train != null || validation != null;
        boolean multi = trainPerTask != null || validationPerTask != null;
        if (single == multi) throw new IllegalArgumentException("give either single-input or per-task iterators, not both or neither");
        if (single) {
            Objects.requireNonNull(train, "training iterator");
            Objects.requireNonNull(validation, "validation iterator");
        } else {
            Objects.requireNonNull(trainPerTask, "per-task training iterators");
            Objects.requireNonNull(validationPerTask, "per-task validation iterators");
            if (trainPerTask.size() != validationPerTask.size())
                throw new IllegalArgumentException("per-task iterators: " + trainPerTask.size() + " for training but " + validationPerTask.size() + " for validation");
            trainPerTask = List.copyOf(trainPerTask);
            validationPerTask = List.copyOf(validationPerTask);
        }
    }

    /** Single-input data: one training and one validation iterator. */
    public static CandidateData singleInput(MultiDataSetIterator train, MultiDataSetIterator validation) {
        return new CandidateData(train, validation, null, null);
    }

    /** Multi-input data: one training and one validation iterator per task, in task order. */
    public static CandidateData multiInput(List<MultiDataSetIterator> train, List<MultiDataSetIterator> validation) {
        return new CandidateData(null, null, train, validation);
    }

    public boolean isMultiInput() { return trainPerTask != null; }

    /** Closes every iterator that is {@link AutoCloseable}; the first failure is rethrown after all were tried. */
    @Override
    public void close() throws Exception {
        List<MultiDataSetIterator> all = new ArrayList<>();
        if (isMultiInput()) {
            all.addAll(trainPerTask);
            all.addAll(validationPerTask);
        } else {
            all.add(train);
            all.add(validation);
        }
        Exception first = null;
        for (MultiDataSetIterator it : all) {
            if (!(it instanceof AutoCloseable closeable)) continue;
            try {
                closeable.close();
            } catch (Exception e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
