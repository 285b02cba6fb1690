package io.github.repmtl.samediff.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** One batch in this JVM: a step of one shard. */
public record LocalStepData(TrainingGraph graph, Map<String, INDArray> feed) implements StepData {
    @Override public long[][] shardExamples() { return new long[][]{graph.examples(feed)}; }

    @Override public ShardResult compute(ShardRequest request) { return graph.compute(request, feed, 0); }
}
