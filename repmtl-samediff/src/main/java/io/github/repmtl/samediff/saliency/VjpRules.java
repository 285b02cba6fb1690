package io.github.repmtl.samediff.saliency;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The registry of exact input-gradient rules, keyed by SameDiff op name. It answers whether a head is
 * supported ({@link #supports}) and lists the supported ops ({@link #supportedOps()}). Adding an op is one
 * line in one rule family.
 */
public final class VjpRules {
    private static final Map<String, VjpRule> RULES;

    static {
        Map<String, VjpRule> m = new HashMap<>();
        ElementwiseRules.register(m);
        ArithmeticRules.register(m);
        ReductionRules.register(m);
        LinearRules.register(m);
        ConvolutionRules.register(m);
        ShapeRules.register(m);
        PaddingRules.register(m);
        NormalizationRules.register(m);
        RULES = Collections.unmodifiableMap(m);
    }

    private VjpRules() {}

    public static boolean supports(String opName) { return RULES.containsKey(opName); }

    /** Sorted names of the ops that have an exact rule. */
    public static Set<String> supportedOps() { return Collections.unmodifiableSet(new TreeSet<>(RULES.keySet())); }

    static VjpRule rule(String opName) { return RULES.get(opName); }
}
