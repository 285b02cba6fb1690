package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The vector-Jacobian product of one SameDiff op family, written with forward ops only, so that the
 * emitted input gradient can itself be differentiated by SameDiff's first-order autodiff (which is how
 * Rep-MTL's second-order gradient is obtained in M2.1, where gradient ops cannot be differentiated).
 */
@FunctionalInterface
public interface VjpRule {
    /**
     * @param c the op, its inputs and outputs, the gradient flowing into its output(s) and shape facts
     * @return the gradient w.r.t. each input, in input order; {@code null} entries for inputs that do not
     *         need one ({@link VjpContext#needsGradient(int)} is false) or that have zero gradient
     */
    SDVariable[] apply(VjpContext c);
}
