package io.github.repmtl.samediff.strategy;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the registry knows about one method: its name, a one-line summary with the reference, the gradient modes
 * it can run in, its documented options and a factory. Each strategy class declares its own descriptor as a
 * {@code DESCRIPTOR} constant, so adding a method is one file plus one line in {@link Strategies}.
 *
 * @param name     registry name (lower case, words separated by '-')
 * @param summary  one line: the method and its paper
 * @param modes    the modes the method supports (an instance may narrow them with its options)
 * @param options  documented options with defaults
 * @param factory  creates instances
 */
public record StrategyDescriptor(String name, String summary, Set<GradientMode> modes, List<OptionSpec> options,
                                 StrategyFactory factory) {

    public StrategyDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(summary, "summary");
        modes = Set.copyOf(EnumSet.copyOf(modes));
        options = List.copyOf(options);
        Objects.requireNonNull(factory, "factory");
    }

    /** True when the method needs per-task gradients (it does not run in {@link GradientMode#NONE}). */
    public boolean needsGradients() {
        return !modes.contains(GradientMode.NONE);
    }

    /** A multi-line description: name, summary, modes and options. */
    public String help() {
        StringBuilder sb = new StringBuilder(name).append(": ").append(summary).append('\n')
                .append("  modes: ").append(EnumSet.copyOf(modes)).append('\n');
        if (options.isEmpty()) sb.append("  options: none\n");
        for (OptionSpec o : options) sb.append("  ").append(o.help()).append('\n');
        return sb.toString();
    }
}
