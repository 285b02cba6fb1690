package io.github.repmtl.samediff.regularizer;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A regularizer term evaluated on arrays: its value and its gradient with respect to the stacked saliencies
 * {@code [B, T, C, N]} it was computed from (same shape and data type).
 */
public record ValueAndGradient(double value, INDArray gradient) {}
