package io.github.repmtl.samediff.strategy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The parsed, validated options of one strategy instance: every documented option has a value (given or default),
 * and no undocumented option was given.
 */
public final class StrategyOptions {
    private final String strategy;
    private final Map<String, Object> values;

    private StrategyOptions(String strategy, Map<String, Object> values) {
        this.strategy = strategy;
        this.values = values;
    }

    /**
     * Validates {@code given} against the documented options of a strategy and fills in the defaults.
     *
     * @throws IllegalArgumentException naming unknown options (and listing the valid ones) or invalid values
     */
    public static StrategyOptions parse(String strategy, List<OptionSpec> specs, Map<String, String> given) {
        Map<String, OptionSpec> byName = new LinkedHashMap<>();
        for (OptionSpec spec : specs) byName.put(spec.name(), spec);
        TreeSet<String> unknown = new TreeSet<>(given.keySet());
        unknown.removeAll(byName.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("strategy '" + strategy + "': unknown option(s) " + unknown
                    + "; valid options: " + (byName.isEmpty() ? "none" : byName.keySet()));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (OptionSpec spec : specs) {
            String text = given.containsKey(spec.name()) ? given.get(spec.name()) : spec.defaultValue();
            values.put(spec.name(), spec.parse(strategy, text));
        }
        return new StrategyOptions(strategy, Collections.unmodifiableMap(values));
    }

    /** The value of a REAL option. */
    public double real(String name) {
        return (Double) value(name, Double.class);
    }

    /** The value of an INTEGER option. */
    public int integer(String name) {
        return (Integer) value(name, Integer.class);
    }

    /** The value of a CHOICE option, lower case. */
    public String choice(String name) {
        return (String) value(name, String.class);
    }

    /** All values by option name. */
    public Map<String, Object> values() {
        return values;
    }

    private Object value(String name, Class<?> type) {
        Object v = values.get(name);
        if (!type.isInstance(v)) {
            throw new IllegalStateException("strategy '" + strategy + "' reads option '" + name + "' as "
                    + type.getSimpleName() + " but it is " + (v == null ? "not declared" : v.getClass().getSimpleName()));
        }
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
