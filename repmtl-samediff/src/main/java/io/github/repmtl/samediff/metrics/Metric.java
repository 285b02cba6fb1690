package io.github.repmtl.samediff.metrics;

import java.io.Serializable;
import java.util.Objects;

/**
 * One benchmark metric: its name (the key used in results and baseline files) and its direction.
 * The direction is the {@code s_tk} of the Delta-p formula: {@code s_tk = 1} exactly when lower is better.
 */
public record Metric(String name, boolean higherIsBetter) implements Serializable {
    public Metric {
        Objects.requireNonNull(name, "metric name");
        if (name.isBlank()) throw new IllegalArgumentException("metric name must not be blank");
    }

    /** A metric where larger values are better (accuracy, mIoU, ...). */
    public static Metric higherIsBetter(String name) { return new Metric(name, true); }

    /** A metric where smaller values are better (errors, angles, ...). */
    public static Metric lowerIsBetter(String name) { return new Metric(name, false); }

    /** The sign {@code (-1)^{s}} that turns a relative change of this metric into an improvement. */
    public double improvementSign() { return higherIsBetter ? 1.0 : -1.0; }
}
