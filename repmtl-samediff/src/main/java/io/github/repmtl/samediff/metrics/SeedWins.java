package io.github.repmtl.samediff.metrics;

import java.io.Serializable;

/**
 * How many seeds a method won on one quantity, as counted by {@link SeedStatistics#wins()}: on each seed the methods
 * with the highest value (exact equality of the doubles) are the best; a method that is best alone on a seed wins it,
 * a method that shares the best value with others ties it. A seed therefore counts as one win for one method, or as
 * one tie for each of the two or more methods that share it.
 *
 * @param wins seeds on which this method alone had the highest value
 * @param ties seeds on which this method shared the highest value with at least one other method
 */
public record SeedWins(int wins, int ties) implements Serializable {
    private static final long serialVersionUID = 1L;
}
