package io.github.repmtl.arbiter;

/**
 * What a candidate is scored by, always on the VALIDATION split (the test split is never used by the search).
 */
public enum SearchObjective {
    /**
     * Delta-p_task (percent) of the selected epoch against single-task baselines, as the trainer's
     * {@code ModelSelection} picks it (by default the best validation epoch); higher is better.
     */
    DELTA_P(false),
    /** The sum over tasks of the mean validation loss after the last epoch (no regularizer terms); lower is better. */
    VALIDATION_LOSS(true);

    private final boolean minimize;

    SearchObjective(boolean minimize) { this.minimize = minimize; }

    /** True when lower scores are better. */
    public boolean minimize() { return minimize; }

    /** The command-line spelling: {@code delta-p}, {@code validation-loss}. */
    public String cliName() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }

    /**
     * An objective by name ({@code delta-p} or {@code validation-loss}; case, {@code _} and {@code -} as you like).
     *
     * @throws IllegalArgumentException naming the unknown value and the valid ones
     */
    public static SearchObjective parse(String name) {
        if (name != null)
            for (SearchObjective o : values()) if (o.name().equalsIgnoreCase(name.trim().replace('-', '_'))) return o;
        throw new IllegalArgumentException("unknown objective '" + name + "'; valid: delta-p, validation-loss");
    }
}
