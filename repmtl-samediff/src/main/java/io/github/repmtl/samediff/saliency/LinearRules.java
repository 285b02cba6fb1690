package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.blas.params.MMulTranspose;

import java.util.Map;

/** Input-gradient rule of matrix multiplication (including batched matmul and transpose flags). */
final class LinearRules {
    private LinearRules() {}

    static void register(Map<String, VjpRule> rules) {
        rules.put("matmul", LinearRules::matmul);
    }

    /**
     * For {@code out = op_a(a) op_b(b)} (optionally transposed), with {@code gC} the gradient of the
     * un-transposed product: {@code dA' = gC B'^T}, {@code dB' = A'^T gC}, transposed back where needed.
     */
    private static SDVariable[] matmul(VjpContext c) {
        MMulTranspose mt = (MMulTranspose) c.field("mt");
        boolean ta = mt != null && mt.isTransposeA();
        boolean tb = mt != null && mt.isTransposeB();
        boolean tr = mt != null && mt.isTransposeResult();
        if (tr) throw c.unsupported("transposed matmul result");
        SDVariable a = c.in(0), b = c.in(1), g = c.g();
        SDVariable[] r = new SDVariable[2];
        if (c.needsGradient(0)) {
            // A' = op(a); dA' = g B'^T; da = ta ? dA'^T = B' g^T : dA'
            r[0] = ta ? c.sd().mmul(b, g, tb, true, false) : c.sd().mmul(g, b, false, !tb, false);
        }
        if (c.needsGradient(1)) {
            // dB' = A'^T g; db = tb ? dB'^T = g^T A' : dB'
            r[1] = tb ? c.sd().mmul(g, a, true, ta, false) : c.sd().mmul(a, g, !ta, false, false);
        }
        return r;
    }
}
