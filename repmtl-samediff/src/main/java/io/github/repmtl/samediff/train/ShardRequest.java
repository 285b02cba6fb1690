package io.github.repmtl.samediff.train;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One graph execution of a training step, as the trainer asks it of every shard of the step's data (one shard on
 * one machine, one per partition on Spark). {@code shardExamples[k][t]} is the number of examples shard {@code k}
 * holds for task {@code t}; from it each shard scales its contribution so that the shards' results, summed in shard
 * order ({@link ShardResult#combine}), are the step on the whole batch: task losses and their gradients are batch
 * means, so shard {@code k} contributes {@code n_kt / N_t} of them (exactly 1 for one shard), while Rep-MTL's
 * regularizer acts on each shard's own batch and its gradients are summed unscaled.
 *
 * @param kind          what to compute
 * @param weights       task weights of the objective ({@link Kind#GRADIENTS} only)
 * @param injection     the whole batch's representation injection {@code D} in row-major order, or {@code null}
 *                      for none ({@link Kind#GRADIENTS} in representation mode only)
 * @param losses        the whole batch's task losses, when the objective's task terms are {@code log l_t} (Rep-MTL's
 *                      log transform) and the step is split: shard {@code k} then weights its terms by
 *                      {@code n_kt/N_t * l_kt/l_t}, so that {@code d log l_t} of the whole batch is the sum of the
 *                      shards' terms; {@code null} otherwise
 * @param shardExamples examples per shard and task
 * @param seed          the step's random seed (dropout masks); shard {@code k} uses {@link #shardSeed(int)}
 * @param where         the step, for error messages ("epoch 3, step 120")
 * @param shardNames    each shard's name in error messages, or {@code null} ("partition k" when split)
 */
public record ShardRequest(Kind kind, double[] weights, double[] injection, double[] losses, long[][] shardExamples, long seed, String where,
                           String[] shardNames) implements Serializable {
    /** What a shard computes. */
    public enum Kind {
        /** Forward pass: the task losses. */
        LOSSES,
        /** Gradient of the weighted objective (plus the injection term) w.r.t. every trainable parameter. */
        GRADIENTS,
        /** Per task, {@code dl_t/dP} of every parameter, and the regularizer's gradient (parameter-gradient strategies). */
        TASK_GRADIENTS,
        /** Per task, {@code dl_t/dZ} of the shared representation, and {@code Z} itself (representation strategies). */
        REPRESENTATION_ROWS
    }

    private static final long SHARD_SEED_STRIDE = 0x9E3779B97F4A7C15L;

    public ShardRequest {
        if (kind == null) throw new IllegalArgumentException("request kind is null");
        if (shardExamples == null || shardExamples.length == 0) throw new IllegalArgumentException(where + ": a step needs at least one shard");
        for (int k = 0; k < shardExamples.length; k++)
            for (long n : shardExamples[k])
                if (n < 1) throw new IllegalArgumentException(where + ": shard " + k + " has " + n + " examples " + Arrays.toString(shardExamples[k]));
        if (kind == Kind.GRADIENTS && weights == null) throw new IllegalArgumentException(where + ": a gradient request needs task weights");
        if (shardNames != null && shardNames.length != shardExamples.length)
            throw new IllegalArgumentException(where + ": " + shardNames.length + " shard names for " + shardExamples.length + " shards");
    }

    /** This request with shards named in error messages as {@code names} (e.g. the cluster partitions that hold them). */
    public ShardRequest withShardNames(String... names) {
        return new ShardRequest(kind, weights, injection, losses, shardExamples, seed, where, names.clone());
    }

    /** Task losses of the forward pass. */
    public static ShardRequest losses(long[][] shardExamples, long seed, String where) {
        return new ShardRequest(Kind.LOSSES, null, null, null, shardExamples, seed, where, null);
    }

    /** Gradients of {@code sum_t weights_t l_t} (+ regularizer, + {@code sum(Z * injection)} when given). */
    public static ShardRequest gradients(double[] weights, double[] injection, double[] losses, long[][] shardExamples, long seed, String where) {
        return new ShardRequest(Kind.GRADIENTS, weights.clone(), injection, losses, shardExamples, seed, where, null);
    }

    /** Per-task parameter gradients. */
    public static ShardRequest taskGradients(double[] losses, long[][] shardExamples, long seed, String where) {
        return new ShardRequest(Kind.TASK_GRADIENTS, null, null, losses, shardExamples, seed, where, null);
    }

    /** Per-task representation gradients and the representation. */
    public static ShardRequest representationRows(double[] losses, long[][] shardExamples, long seed, String where) {
        return new ShardRequest(Kind.REPRESENTATION_ROWS, null, null, losses, shardExamples, seed, where, null);
    }

    public int shards() { return shardExamples.length; }

    /** Shard {@code k}'s share {@code n_kt / N_t} of task {@code t}'s mean loss (exactly 1.0 for one shard). */
    public double taskScale(int shard, int task) {
        if (shards() == 1) return 1.0;
        long total = 0;
        for (long[] n : shardExamples) total += n[task];
        return (double) shardExamples[shard][task] / total;
    }

    /** Shard {@code k}'s share of all examples (weights batch statistics; exactly 1.0 for one shard). */
    public double exampleScale(int shard) {
        if (shards() == 1) return 1.0;
        long total = 0;
        for (long[] n : shardExamples) for (long v : n) total += v;
        long mine = 0;
        for (long v : shardExamples[shard]) mine += v;
        return (double) mine / total;
    }

    /** Index of shard {@code k}'s first row in the whole batch (single-input models: task 0's counts). */
    public long rowOffset(int shard) {
        long off = 0;
        for (int j = 0; j < shard; j++) off += shardExamples[j][0];
        return off;
    }

    /** Seed of shard {@code k}'s dropout masks: the step's seed for shard 0. */
    public long shardSeed(int shard) { return seed + shard * SHARD_SEED_STRIDE; }

    /** {@link #where} naming the shard: by its name when named, else as "partition k" when the step is split. */
    public String where(int shard) {
        if (shardNames != null) return where + ", " + shardNames[shard];
        return shards() == 1 ? where : where + ", partition " + shard;
    }
}
