package io.github.repmtl.samediff.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Training progress on the console. On a terminal: a bar per epoch with ETA and the current task losses
 * (me.tongfei:progressbar). Otherwise (a log file, CI): plain lines, one per epoch with its mean training
 * losses and wall time, and one every {@code stepLineInterval} steps within an epoch, so a log holds no
 * carriage-return frames.
 */
public final class ProgressBarListener implements TrainingListener {
    /** Steps between progress lines within an epoch when the output is not a terminal. */
    public static final int DEFAULT_STEP_LINE_INTERVAL = 100;

    private final String label;
    private final boolean terminal;
    private final PrintStream out;
    private final int stepLineInterval;
    private ProgressBar bar;
    private int epochs;
    private int batches;
    private int stepsInEpoch;

    /** Bars when the JVM has a console, lines on {@code System.out} otherwise. */
    public ProgressBarListener(String label) {
        this(label, System.console() != null, System.out, DEFAULT_STEP_LINE_INTERVAL);
    }

    /**
     * @param terminal         bars ({@code true}) or plain lines
     * @param out              where plain lines go (bars always write to the console)
     * @param stepLineInterval plain mode: a line every this many steps of an epoch (0: per epoch only)
     */
    public ProgressBarListener(String label, boolean terminal, PrintStream out, int stepLineInterval) {
        if (stepLineInterval < 0) throw new IllegalArgumentException("stepLineInterval must be >= 0, got " + stepLineInterval);
        this.label = label;
        this.terminal = terminal;
        this.out = out;
        this.stepLineInterval = stepLineInterval;
    }

    @Override
    public void onTrainingStart(MultiTaskTrainer trainer, int firstEpoch, int epochs, int batchesPerEpoch) {
        this.epochs = epochs;
        this.batches = batchesPerEpoch;
    }

    @Override
    public void onStep(StepStats s) {
        stepsInEpoch++;
        String losses = losses(s.taskLosses());
        if (!terminal) {
            if (stepLineInterval > 0 && stepsInEpoch % stepLineInterval == 0 && stepsInEpoch < batches) {
                out.printf(Locale.ROOT, "%s epoch %d/%d step %d/%d %s%n", label, s.epoch() + 1, epochs, stepsInEpoch, batches, losses);
            }
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "%s %d/%d", label, s.epoch() + 1, epochs))
                    .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        }
        bar.setExtraMessage(losses);
        bar.step();
    }

    @Override
    public void onEpochEnd(EpochSummary summary) {
        if (terminal) {
            if (bar != null) bar.close();
            bar = null;
        } else {
            out.printf(Locale.ROOT, "%s epoch %d/%d done: %d steps, %.1f s, train %s%n", label, summary.epoch() + 1, epochs,
                    stepsInEpoch, summary.seconds(), losses(summary.trainLosses()));
        }
        stepsInEpoch = 0;
    }

    private static String losses(Map<String, Double> losses) {
        StringBuilder sb = new StringBuilder();
        losses.forEach((t, v) -> sb.append(String.format(Locale.ROOT, "%s=%.3f ", t, v)));
        return sb.toString().trim();
    }
}
