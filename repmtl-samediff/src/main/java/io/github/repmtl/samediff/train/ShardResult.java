package io.github.repmtl.samediff.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One shard's answer to a {@link ShardRequest}, already scaled as its contribution to the whole batch (see
 * {@link ShardRequest}), so that {@link #combine} sums the shards in shard order. Fields a request kind does not
 * produce are {@code null} (NaN for numbers). A shard whose loss is NaN or infinite returns a {@link #failure}
 * naming the task, step and partition instead of throwing, so that a deterministic failure is not retried as a
 * lost task would be; the trainer raises it before any update.
 *
 * @param failure              why the shard failed, or {@code null}
 * @param losses               task losses (batch means, scaled)
 * @param objective            the objective's value ({@code NaN} for a forward request)
 * @param tsr                  Rep-MTL's TSR term (summed over shards; {@code NaN} without Rep-MTL)
 * @param csa                  Rep-MTL's CSA term (summed over shards; {@code NaN} without Rep-MTL)
 * @param statistics           batch values of the model's running statistics (scaled by examples)
 * @param gradients            objective gradient per trainable parameter
 * @param taskGradients        per task, {@code dl_t/dP} per parameter
 * @param regularizerGradients Rep-MTL's gradient per parameter (unscaled), or {@code null} without Rep-MTL
 * @param rows                 per task, {@code dl_t/dZ} flattened in row-major order (shards concatenated)
 * @param representation       {@code Z} flattened (shards concatenated)
 * @param representationRows   rows of {@code Z} (its first dimension)
 */
public record ShardResult(String failure, double[] losses, double objective, double tsr, double csa,
                          Map<String, INDArray> statistics, Map<String, INDArray> gradients,
                          List<Map<String, INDArray>> taskGradients, Map<String, INDArray> regularizerGradients,
                          double[][] rows, double[] representation, long representationRows) implements Serializable {

    /** A shard that could not compute its part. */
    public static ShardResult failed(String failure) {
        return new ShardResult(failure, null, Double.NaN, Double.NaN, Double.NaN, null, null, null, null, null, null, 0);
    }

    /** The whole batch's result from its shards' results, summed in shard order; one result is returned as is. */
    public static ShardResult combine(List<ShardResult> shards) {
        if (shards.isEmpty()) throw new IllegalArgumentException("no shard results to combine");
        for (ShardResult s : shards) if (s.failure != null) return s;
        if (shards.size() == 1) return shards.get(0);
        ShardResult a = shards.get(0);
        double[] losses = a.losses == null ? null : a.losses.clone();
        double objective = a.objective, tsr = a.tsr, csa = a.csa;
        Map<String, INDArray> statistics = copy(a.statistics), gradients = copy(a.gradients), regularizer = copy(a.regularizerGradients);
        List<Map<String, INDArray>> taskGradients = null;
        if (a.taskGradients != null) {
            taskGradients = new ArrayList<>();
            for (Map<String, INDArray> m : a.taskGradients) taskGradients.add(copy(m));
        }
        List<double[][]> rowParts = new ArrayList<>();
        List<double[]> zParts = new ArrayList<>();
        long zRows = 0;
        for (int k = 0; k < shards.size(); k++) {
            ShardResult s = shards.get(k);
            if (k > 0) {
                if (losses != null) for (int t = 0; t < losses.length; t++) losses[t] += s.losses[t];
                objective += s.objective;
                tsr += s.tsr;
                csa += s.csa;
                add(statistics, s.statistics);
                add(gradients, s.gradients);
                add(regularizer, s.regularizerGradients);
                if (taskGradients != null) for (int t = 0; t < taskGradients.size(); t++) add(taskGradients.get(t), s.taskGradients.get(t));
            }
            if (s.rows != null) rowParts.add(s.rows);
            if (s.representation != null) zParts.add(s.representation);
            zRows += s.representationRows;
        }
        double[][] rows = null;
        if (!rowParts.isEmpty()) {
            rows = new double[rowParts.get(0).length][];
            for (int t = 0; t < rows.length; t++) {
                final int task = t;
                rows[t] = concat(rowParts.stream().map(r -> r[task]).toList());
            }
        }
        return new ShardResult(null, losses, objective, tsr, csa, statistics, gradients, taskGradients, regularizer, rows,
                zParts.isEmpty() ? null : concat(zParts), zRows);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> m) {
        if (m == null) return null;
        Map<String, INDArray> c = new HashMap<>();
        m.forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }

    private static void add(Map<String, INDArray> sum, Map<String, INDArray> part) {
        if (sum == null) return;
        sum.forEach((k, v) -> {
            INDArray p = part.get(k);
            if (p == null) throw new IllegalStateException("a shard's result lacks '" + k + "'");
            v.addi(p);
        });
    }

    private static double[] concat(List<double[]> parts) {
        int n = 0;
        for (double[] p : parts) n += p.length;
        double[] out = new double[n];
        int off = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
