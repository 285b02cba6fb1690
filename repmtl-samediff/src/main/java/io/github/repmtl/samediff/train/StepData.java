package io.github.repmtl.samediff.train;

/**
 * The data of one training step, held as one or more shards: answers a {@link ShardRequest} for the whole batch by
 * running it on every shard ({@link TrainingGraph#compute}) and combining the results in shard order
 * ({@link ShardResult#combine}). {@link LocalStepData} is one batch in this JVM; a distributed trainer's shards are
 * partitions of a cluster's data.
 */
public interface StepData {
    /** Examples per shard and task ({@code [shard][task]}). */
    long[][] shardExamples();

    /** {@code request} (made for {@link #shardExamples()}) computed on every shard and combined. */
    ShardResult compute(ShardRequest request);
}
