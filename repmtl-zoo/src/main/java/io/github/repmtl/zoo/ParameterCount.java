package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;

/**
 * Counts trainable scalars (SameDiff {@code VARIABLE}s; running statistics are constants and do not count),
 * the way {@code sum(p.numel() for p in model.parameters())} does in PyTorch.
 */
public final class ParameterCount {
    private ParameterCount() {}

    /** All trainable scalars of the model. */
    public static long of(MultiTaskModel model) { return withPrefix(model, ""); }

    /** Trainable scalars whose variable name starts with {@code prefix} (e.g. {@code "trunk/"}). */
    public static long withPrefix(MultiTaskModel model, String prefix) {
        long n = 0;
        for (SDVariable v : model.sameDiff().variables())
            if (v.getVariableType() == VariableType.VARIABLE && v.name().startsWith(prefix)) n += v.getArr().length();
        return n;
    }
}
