package io.github.repmtl.arbiter;

/** How candidates are proposed; each is one of Arbiter's candidate generators. */
public enum SearchGenerator {
    /** Arbiter's random search: every dimension sampled independently (continuous ranges by their distribution). */
    RANDOM,
    /**
     * Arbiter's grid search in sequential order: every combination of the discrete values, continuous ranges cut
     * into the configured number of points; the search ends when the grid is exhausted.
     */
    GRID,
    /**
     * Arbiter's genetic search: random candidates until the population is large enough to breed, then offspring
     * of the fittest by crossover and mutation (seeded, so reproducible).
     */
    GENETIC
}
