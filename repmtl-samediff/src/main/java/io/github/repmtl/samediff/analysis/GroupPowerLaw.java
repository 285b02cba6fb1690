package io.github.repmtl.samediff.analysis;

/**
 * Averages of the per-layer power-law fits over one group of layers (each layer weighs the same).
 *
 * @param group          the group name
 * @param layers         the number of analysed layers in the group
 * @param meanAlpha      the mean tail exponent; smaller means heavier tails (stronger self-regularisation)
 * @param meanXMin       the mean tail lower bound
 * @param meanKsDistance the mean Kolmogorov-Smirnov distance of the fits
 * @param meanTailSize   the mean number of eigenvalues in the tails
 */
public record GroupPowerLaw(String group, int layers, double meanAlpha, double meanXMin, double meanKsDistance, double meanTailSize) {}
