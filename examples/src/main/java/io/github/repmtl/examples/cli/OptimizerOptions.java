package io.github.repmtl.examples.cli;

import io.github.repmtl.samediff.train.Optimizer;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * Optimiser and learning-rate schedule flags (a picocli mixin), with LibMTL's spellings and defaults (Adam,
 * weight decay 1e-5, no schedule; the learning rate default of 1e-4 is applied by the command).
 */
final class OptimizerOptions {
    @Option(names = {"--optimizer", "--optim"}, defaultValue = "adam", paramLabel = "NAME",
            description = "adam (L2 decay), adamw (decoupled decay) or sgd (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = {"--weight-decay", "--weight_decay"}, defaultValue = "1e-5", paramLabel = "WD", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default 0).")
    Double momentum;

    @Option(names = {"--schedule", "--scheduler"}, defaultValue = "none", paramLabel = "NAME",
            description = "Learning-rate schedule: none, step (x gamma every step-size epochs) or cosine (alias cos) (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = {"--step-size", "--step_size"}, defaultValue = "100", paramLabel = "EPOCHS", description = "Step schedule interval (default: ${DEFAULT-VALUE}).")
    int stepSize;

    @Option(names = "--gamma", defaultValue = "0.5", description = "Step schedule factor (default: ${DEFAULT-VALUE}).")
    double gamma;

    /** The optimiser for a learning rate and a run of {@code epochs} epochs (the cosine schedule spans them). */
    Optimizer optimizer(double learningRate, int epochs) {
        String name = optimizer.trim().toLowerCase(Locale.ROOT);
        if (momentum != null && !name.equals("sgd")) throw new IllegalArgumentException("--momentum applies to --optimizer sgd, not " + name);
        Optimizer o = switch (name) {
            case "adam" -> Optimizer.adam(learningRate).withWeightDecay(weightDecay);
            case "adamw" -> Optimizer.adamW(learningRate, weightDecay);
            case "sgd" -> Optimizer.sgd(learningRate, momentum == null ? 0.0 : momentum).withWeightDecay(weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; valid: adam, adamw, sgd");
        };
        return switch (schedule.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> o;
            case "step" -> {
                if (stepSize < 1) throw new IllegalArgumentException("--step-size must be >= 1, got " + stepSize);
                if (!(gamma > 0) || !Double.isFinite(gamma)) throw new IllegalArgumentException("--gamma must be > 0, got " + gamma);
                yield o.withStepSchedule(stepSize, gamma);
            }
            case "cosine", "cos" -> o.withCosineSchedule(epochs);
            default -> throw new IllegalArgumentException("unknown schedule '" + schedule + "'; valid: none, step, cosine (cos)");
        };
    }
}
