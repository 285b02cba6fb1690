package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;

import static io.github.repmtl.samediff.saliency.ElementwiseRules.one;
import static io.github.repmtl.samediff.saliency.ElementwiseRules.scalarOf;

/**
 * Input-gradient rules of broadcasting arithmetic (tensor-tensor and tensor-scalar) and of bias addition.
 * Tensor-tensor rules undo broadcasting with {@link VjpContext#unbroadcast}.
 */
final class ArithmeticRules {
    private ArithmeticRules() {}

    static void register(Map<String, VjpRule> rules) {
        rules.put("add", c -> pair(c, c.g(), c.g()));
        rules.put("subtract", c -> pair(c, c.g(), c.needsGradient(1) ? c.g().neg() : null));
        rules.put("reversesubtract", c -> pair(c, c.needsGradient(0) ? c.g().neg() : null, c.g()));
        rules.put("multiply", c -> pair(c,
                c.needsGradient(0) ? c.g().mul(c.in(1)) : null,
                c.needsGradient(1) ? c.g().mul(c.in(0)) : null));
        rules.put("divide", c -> pair(c,
                c.needsGradient(0) ? c.g().div(c.in(1)) : null,
                c.needsGradient(1) ? c.g().mul(c.out()).div(c.in(1)).neg() : null));
        rules.put("reversedivide", c -> pair(c,                       // out = in1 / in0
                c.needsGradient(0) ? c.g().mul(c.out()).div(c.in(0)).neg() : null,
                c.needsGradient(1) ? c.g().div(c.in(0)) : null));
        rules.put("maximum", c -> {
            SDVariable first = c.mask(c.in(0).gte(c.in(1)));
            return pair(c, c.needsGradient(0) ? c.g().mul(first) : null,
                    c.needsGradient(1) ? c.g().mul(first.rsub(1.0)) : null);
        });
        rules.put("minimum", c -> {
            SDVariable first = c.mask(c.in(0).lte(c.in(1)));
            return pair(c, c.needsGradient(0) ? c.g().mul(first) : null,
                    c.needsGradient(1) ? c.g().mul(first.rsub(1.0)) : null);
        });
        rules.put("biasadd", c -> {
            if (c.numInputs() > 1 && c.needsGradient(1)) throw c.unsupported("a bias that depends on the shared activation");
            return new SDVariable[]{c.g(), null};
        });
        rules.put("add_scalar", c -> one(c.g()));
        rules.put("sub_scalar", c -> one(c.g()));
        rules.put("rsub_scalar", c -> one(c.g().neg()));
        rules.put("mul_scalar", c -> one(c.g().mul(scalarOf(c))));
        rules.put("div_scalar", c -> one(c.g().div(scalarOf(c))));
        rules.put("rdiv_scalar", c -> one(c.g().mul(c.out()).div(c.in(0)).neg()));
        rules.put("pow", c -> {
            double p = scalarOf(c);
            return one(c.g().mul(c.sd().math.pow(c.in(0), p - 1.0)).mul(p));
        });
        rules.put("max_scalar", c -> one(c.g().mul(c.mask(c.in(0).gte(scalarOf(c))))));
    }

    /** Gradients of a binary op, each reduced to its input's shape; {@code null} where none is needed. */
    private static SDVariable[] pair(VjpContext c, SDVariable g0, SDVariable g1) {
        SDVariable[] r = new SDVariable[c.numInputs()];
        if (c.numInputs() == 1) {                     // scalar-argument form of a pairwise op
            r[0] = g0;
            return r;
        }
        if (c.needsGradient(0) && g0 != null) r[0] = c.unbroadcast(g0, 0);
        if (c.needsGradient(1) && g1 != null) r[1] = c.unbroadcast(g1, 1);
        return r;
    }
}
