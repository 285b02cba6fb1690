package io.github.repmtl.samediff.strategy;

import io.github.repmtl.samediff.strategy.gradient.AlignedMtl;
import io.github.repmtl.samediff.strategy.gradient.CaGrad;
import io.github.repmtl.samediff.strategy.gradient.DualBalancing;
import io.github.repmtl.samediff.strategy.gradient.FairGrad;
import io.github.repmtl.samediff.strategy.gradient.GradDrop;
import io.github.repmtl.samediff.strategy.gradient.GradNorm;
import io.github.repmtl.samediff.strategy.gradient.GradVac;
import io.github.repmtl.samediff.strategy.gradient.Imtl;
import io.github.repmtl.samediff.strategy.gradient.ImtlG;
import io.github.repmtl.samediff.strategy.gradient.Mgda;
import io.github.repmtl.samediff.strategy.gradient.MoCo;
import io.github.repmtl.samediff.strategy.gradient.NashMtl;
import io.github.repmtl.samediff.strategy.gradient.PcGrad;
import io.github.repmtl.samediff.strategy.gradient.UpGrad;
import io.github.repmtl.samediff.strategy.weighting.DynamicWeightAverage;
import io.github.repmtl.samediff.strategy.weighting.EqualWeighting;
import io.github.repmtl.samediff.strategy.weighting.Famo;
import io.github.repmtl.samediff.strategy.weighting.GeometricLossStrategy;
import io.github.repmtl.samediff.strategy.weighting.ImpartialLossScaling;
import io.github.repmtl.samediff.strategy.weighting.RandomLossWeighting;
import io.github.repmtl.samediff.strategy.weighting.SmoothTchebycheff;
import io.github.repmtl.samediff.strategy.weighting.UncertaintyWeighting;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The registry of multi-task strategies: name to descriptor (summary, supported gradient modes, documented
 * options with defaults) and factory. Names are case-insensitive and {@code '_'} is read as {@code '-'}, so
 * LibMTL's spellings ({@code Nash_MTL}, {@code DB_MTL}) work too.
 *
 * <pre>{@code
 * MultiTaskStrategy s = Strategies.create("pcgrad", List.of("seg", "depth"), Map.of(), GradientMode.PARAMETERS);
 * MultiTaskStrategy c = Strategies.builder("cagrad").tasks("seg", "depth").option("c", 0.4).build();
 * }</pre>
 * Unknown names, unknown options, invalid values and unsupported modes raise {@link IllegalArgumentException}
 * naming them and listing what is valid. Adding a method: its class with a {@code DESCRIPTOR}, plus one line here.
 */
public final class Strategies {
    private static final Map<String, StrategyDescriptor> REGISTRY = registry(
            EqualWeighting.DESCRIPTOR,
            GeometricLossStrategy.DESCRIPTOR,
            RandomLossWeighting.DESCRIPTOR,
            UncertaintyWeighting.DESCRIPTOR,
            DynamicWeightAverage.DESCRIPTOR,
            ImpartialLossScaling.DESCRIPTOR,
            SmoothTchebycheff.DESCRIPTOR,
            Famo.DESCRIPTOR,
            DualBalancing.DESCRIPTOR,
            Mgda.DESCRIPTOR,
            GradNorm.DESCRIPTOR,
            PcGrad.DESCRIPTOR,
            GradDrop.DESCRIPTOR,
            GradVac.DESCRIPTOR,
            ImtlG.DESCRIPTOR,
            Imtl.DESCRIPTOR,
            CaGrad.DESCRIPTOR,
            NashMtl.DESCRIPTOR,
            MoCo.DESCRIPTOR,
            AlignedMtl.DESCRIPTOR,
            FairGrad.DESCRIPTOR,
            UpGrad.DESCRIPTOR);

    private Strategies() {}

    private static Map<String, StrategyDescriptor> registry(StrategyDescriptor... descriptors) {
        Map<String, StrategyDescriptor> map = new LinkedHashMap<>();
        for (StrategyDescriptor d : descriptors) {
            if (map.put(d.name(), d) != null) throw new IllegalStateException("strategy '" + d.name() + "' registered twice");
        }
        return Collections.unmodifiableMap(map);
    }

    /** All registered names, in registry order. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** All descriptors, in registry order. */
    public static Collection<StrategyDescriptor> descriptors() {
        return REGISTRY.values();
    }

    /**
     * The descriptor of a method.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    public static StrategyDescriptor descriptor(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        StrategyDescriptor d = REGISTRY.get(key);
        if (d == null) {
            throw new IllegalArgumentException("unknown multi-task strategy '" + name + "'; valid strategies: " + names());
        }
        return d;
    }

    /** Creates a strategy for the given tasks with options given as text (missing options take their defaults). */
    public static MultiTaskStrategy create(String name, List<String> taskNames, Map<String, String> options) {
        StrategyDescriptor d = descriptor(name);
        return d.factory().create(taskNames, StrategyOptions.parse(d.name(), d.options(), options == null ? Map.of() : options));
    }

    /**
     * Creates a strategy and checks that it supports {@code mode}.
     *
     * @throws IllegalArgumentException when the strategy (with these options) does not support {@code mode}
     */
    public static MultiTaskStrategy create(String name, List<String> taskNames, Map<String, String> options, GradientMode mode) {
        MultiTaskStrategy strategy = create(name, taskNames, options);
        if (!strategy.supportedModes().contains(mode)) {
            throw new IllegalArgumentException("strategy '" + strategy.name() + "' does not support gradient mode " + mode
                    + "; supported modes: " + EnumSet.copyOf(strategy.supportedModes()));
        }
        return strategy;
    }

    /** Creates a strategy for tasks named {@code task0 .. task(T-1)}. */
    public static MultiTaskStrategy create(String name, int taskCount, Map<String, String> options) {
        List<String> tasks = new ArrayList<>();
        for (int t = 0; t < taskCount; t++) tasks.add("task" + t);
        return create(name, tasks, options);
    }

    /** Starts a builder for a method. */
    public static StrategyBuilder builder(String name) {
        return new StrategyBuilder(descriptor(name).name());
    }

    /** Help text for all methods: names, summaries, modes and options with defaults. */
    public static String help() {
        StringBuilder sb = new StringBuilder();
        for (StrategyDescriptor d : REGISTRY.values()) sb.append(d.help());
        return sb.toString();
    }
}
