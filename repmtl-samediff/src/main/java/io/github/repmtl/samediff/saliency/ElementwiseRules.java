package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.BaseScalarOp;

import java.util.Map;

/**
 * Input-gradient rules of element-wise activations and transcendental functions, and of the ops whose
 * gradient is zero almost everywhere (comparisons, sign, one-hot, ...).
 */
final class ElementwiseRules {
    private ElementwiseRules() {}

    static void register(Map<String, VjpRule> rules) {
        rules.put("tanh", c -> one(c.g().mul(c.out().mul(c.out()).rsub(1.0))));
        rules.put("sigmoid", c -> one(c.g().mul(c.out().mul(c.out().rsub(1.0)))));
        rules.put("softplus", c -> one(c.g().mul(c.sd().nn.sigmoid(c.in(0)))));
        rules.put("sin", c -> one(c.g().mul(c.sd().math.cos(c.in(0)))));
        rules.put("cos", c -> one(c.g().mul(c.sd().math.sin(c.in(0))).neg()));
        rules.put("exp", c -> one(c.g().mul(c.out())));
        rules.put("log", c -> one(c.g().div(c.in(0))));
        rules.put("sqrt", c -> one(c.g().mul(0.5).div(c.out())));
        rules.put("square", c -> one(c.g().mul(c.in(0)).mul(2.0)));
        rules.put("abs", c -> one(c.g().mul(c.sd().math.sign(c.in(0)))));
        rules.put("neg", c -> one(c.g().neg()));
        rules.put("identity", c -> one(c.g()));
        rules.put("cast", c -> one(c.g().castTo(c.in(0).dataType())));
        rules.put("relu", c -> {
            double cutoff = scalarOf(c);
            return one(c.g().mul(c.mask(c.in(0).gt(cutoff))));
        });
        rules.put("leakyrelu", c -> {
            double alpha = scalarOf(c);
            SDVariable positive = c.mask(c.in(0).gt(0.0));
            return one(c.g().mul(positive.add(positive.rsub(1.0).mul(alpha))));
        });
        rules.put("softmax", c -> {
            long[] iArgs = c.iArgs();
            int dim = iArgs.length > 0 ? (int) iArgs[0] : -1;
            if (dim < 0) dim += c.rank(c.in(0));
            SDVariable gy = c.g().mul(c.out());
            return one(gy.sub(c.out().mul(gy.sum(true, dim))));
        });
        for (String zero : new String[]{"sign", "step", "floor", "ceil", "round", "onehot", "equals", "not_equals",
                "greater", "greater_equal", "less", "less_equal", "argmax", "argmin", "shape_of", "size_at", "zeros_as", "ones_as"}) {
            rules.put(zero, c -> new SDVariable[c.numInputs()]);
        }
    }

    static double scalarOf(VjpContext c) {
        if (!(c.op() instanceof BaseScalarOp s)) throw c.unsupported("expected a scalar op");
        return s.scalar().getDouble(0);
    }

    static SDVariable[] one(SDVariable g) { return new SDVariable[]{g}; }
}
