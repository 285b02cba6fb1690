package io.github.repmtl.samediff.analysis;

/**
 * The heavy-tail analysis of one weight array.
 *
 * @param layer       the name the caller gave the array
 * @param group       the group the caller assigned it to (e.g. {@code backbone}, {@code head:seg})
 * @param matrices    how many 2-D matrices it was cut into (1 for a dense weight, {@code kH * kW} for a kernel)
 * @param rows        rows of each matrix ({@code in} for a kernel tap)
 * @param columns     columns of each matrix ({@code out} for a kernel tap)
 * @param eigenvalues how many positive eigenvalues the pooled spectrum has
 * @param lambdaMax   the largest eigenvalue of the pooled spectrum
 * @param fit         the power-law fit of the pooled spectrum
 */
public record LayerPowerLaw(String layer, String group, int matrices, long rows, long columns, int eigenvalues,
                            double lambdaMax, PowerLawFit fit) {}
