package io.github.repmtl.samediff.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.Locale;

/** A console progress bar per epoch with ETA and the current task losses (me.tongfei:progressbar). */
public final class ProgressBarListener implements TrainingListener {
    private final String label;
    private ProgressBar bar;
    private int epochs;
    private int batches;

    public ProgressBarListener(String label) { this.label = label; }

    @Override
    public void onTrainingStart(MultiTaskTrainer trainer, int firstEpoch, int epochs, int batchesPerEpoch) {
        this.epochs = epochs;
        this.batches = batchesPerEpoch;
    }

    @Override
    public void onStep(StepStats s) {
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "%s %d/%d", label, s.epoch() + 1, epochs))
                    .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        }
        StringBuilder extra = new StringBuilder();
        s.taskLosses().forEach((t, v) -> extra.append(String.format(Locale.ROOT, "%s=%.3f ", t, v)));
        bar.setExtraMessage(extra.toString().trim());
        bar.step();
    }

    @Override
    public void onEpochEnd(EpochSummary summary) {
        if (bar != null) bar.close();
        bar = null;
    }
}
