package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.metrics.DeltaP;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How the reported result is chosen: the epoch with the best validation Delta-p (task-averaged), or the
 * mean over the last k epochs. The test split is used only when there is no validation split (the trainer
 * then logs a warning).
 */
public record ModelSelection(Mode mode, int lastK) {
    public enum Mode { BEST_DELTA_P, MEAN_LAST_K }

    public ModelSelection {
        if (mode == null) throw new IllegalArgumentException("selection mode is null");
        if (mode == Mode.MEAN_LAST_K && lastK < 1) throw new IllegalArgumentException("lastK must be >= 1, got " + lastK);
    }

    public static ModelSelection bestDeltaP() { return new ModelSelection(Mode.BEST_DELTA_P, 0); }

    public static ModelSelection meanOfLast(int k) { return new ModelSelection(Mode.MEAN_LAST_K, k); }

    /** Selected epoch indices and the Delta-p they stand for, given the per-epoch Delta-p on the selection split. */
    TrainingResult select(List<EpochSummary> epochs, Function<EpochSummary, DeltaP> split, String splitName) {
        List<Integer> chosen = new ArrayList<>();
        double value = Double.NaN;
        if (mode == Mode.BEST_DELTA_P) {
            for (EpochSummary e : epochs) {
                DeltaP d = split.apply(e);
                if (d == null) continue;
                if (chosen.isEmpty() || d.taskAveraged() > value) {
                    chosen = new ArrayList<>(List.of(e.epoch()));
                    value = d.taskAveraged();
                }
            }
        } else {
            double sum = 0;
            int n = 0;
            for (int i = Math.max(0, epochs.size() - lastK); i < epochs.size(); i++) {
                DeltaP d = split.apply(epochs.get(i));
                if (d == null) continue;
                chosen.add(epochs.get(i).epoch());
                sum += d.taskAveraged();
                n++;
            }
            value = n == 0 ? Double.NaN : sum / n;
        }
        return new TrainingResult(List.copyOf(epochs), this, splitName, chosen, value);
    }
}
