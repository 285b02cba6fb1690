package io.github.repmtl.samediff.strategy.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Per-epoch average task losses, accumulated from the losses of every step (LibMTL's
 * {@code train_loss_buffer}).
 */
public final class EpochLossAverages implements java.io.Serializable {
    private final int taskCount;
    private final TreeMap<Integer, double[]> completed = new TreeMap<>();
    private int currentEpoch = -1;
    private double[] currentSum;
    private long currentCount;

    public EpochLossAverages(int taskCount) {
        this.taskCount = taskCount;
        this.currentSum = new double[taskCount];
    }

    /**
     * Adds the losses of one step of {@code epoch}.
     *
     * @throws IllegalArgumentException when {@code epoch} is earlier than an epoch already recorded
     */
    public void record(int epoch, double[] losses) {
        if (epoch < currentEpoch) {
            throw new IllegalArgumentException("epoch " + epoch + " comes after epoch " + currentEpoch
                    + "; epochs must not decrease (restore the strategy state when resuming)");
        }
        if (epoch > currentEpoch) {
            if (currentCount > 0) {
                double[] average = new double[taskCount];
                for (int t = 0; t < taskCount; t++) average[t] = currentSum[t] / currentCount;
                completed.put(currentEpoch, average);
            }
            currentEpoch = epoch;
            currentSum = new double[taskCount];
            currentCount = 0;
        }
        for (int t = 0; t < taskCount; t++) currentSum[t] += losses[t];
        currentCount++;
    }

    /** The average of the losses recorded in {@code epoch} (so far, for the current epoch), or null if none. */
    public double[] average(int epoch) {
        if (epoch == currentEpoch && currentCount > 0) {
            double[] average = new double[taskCount];
            for (int t = 0; t < taskCount; t++) average[t] = currentSum[t] / currentCount;
            return average;
        }
        double[] a = completed.get(epoch);
        return a == null ? null : a.clone();
    }

    /** The first epoch with recorded losses, if any. */
    public OptionalInt firstEpoch() {
        if (!completed.isEmpty()) return OptionalInt.of(completed.firstKey());
        return currentCount > 0 ? OptionalInt.of(currentEpoch) : OptionalInt.empty();
    }

    /** Completed averages, the current epoch and its running sum. */
    public Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        double[] epochs = new double[completed.size()];
        double[][] averages = new double[completed.size()][];
        int i = 0;
        for (Map.Entry<Integer, double[]> e : completed.entrySet()) {
            epochs[i] = e.getKey();
            averages[i++] = e.getValue().clone();
        }
        state.put("epochs", epochs);
        state.put("averages", averages);
        state.put("currentEpoch", currentEpoch);
        state.put("currentSum", currentSum.clone());
        state.put("currentCount", currentCount);
        return state;
    }

    /** Restores {@link #state()}. */
    public void restore(StateReader state) {
        double[] epochs = state.vector("epochs", -1);
        double[][] averages = state.matrix("averages", epochs.length, taskCount);
        int epoch = state.integer("currentEpoch");
        double[] sum = state.vector("currentSum", taskCount);
        long count = state.longValue("currentCount");
        completed.clear();
        for (int i = 0; i < epochs.length; i++) completed.put((int) epochs[i], averages[i]);
        currentEpoch = epoch;
        currentSum = sum;
        currentCount = count;
    }
}
