package io.github.repmtl.spark;

import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The examples of every minibatch of a training RDD, per partition, read in one Spark job that also checks them. */
final class MinibatchCounts {
    private MinibatchCounts() {}

    /**
     * {@code [partition][element]}: examples of each element.
     *
     * @throws IllegalArgumentException (wrapped by Spark) naming partition and element when an element does not hold
     *                                  exactly one feature array (single-input model)
     */
    static long[][] of(JavaRDD<MultiDataSet> data) {
        List<long[]> counts = data.mapPartitionsWithIndex((k, it) -> {
            List<Long> n = new ArrayList<>();
            int e = 0;
            while (it.hasNext()) {
                MultiDataSet m = it.next();
                if (m.getFeatures() == null || m.getFeatures().length != 1 || m.getFeatures(0) == null)
                    throw new IllegalArgumentException("training RDD partition " + k + ", element " + e + ": expected 1 feature array (single-input model), got "
                            + (m.getFeatures() == null ? 0 : m.getFeatures().length));
                n.add(m.getFeatures(0).size(0));
                e++;
            }
            return Collections.singletonList(n.stream().mapToLong(Long::longValue).toArray()).iterator();
        }, true).collect();
        return counts.toArray(new long[0][]);
    }

    /** Elements in the longest partition. */
    static int longest(long[][] counts) {
        int max = 0;
        for (long[] p : counts) max = Math.max(max, p.length);
        return max;
    }
}
