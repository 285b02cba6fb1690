package io.github.repmtl.samediff.strategy;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One documented option of a strategy: its name, type, default, valid range and meaning.
 *
 * @param name         option name as written in option maps, e.g. {@code "beta"}
 * @param kind         value type
 * @param defaultValue default, as text
 * @param min          smallest valid value (REAL and INTEGER), inclusive
 * @param max          largest valid value (REAL and INTEGER), inclusive
 * @param choices      the valid values (CHOICE), else empty
 * @param description  what the option does
 */
public record OptionSpec(String name, Kind kind, String defaultValue, double min, double max, List<String> choices,
                         String description) {

    /** The value type of an option. */
    public enum Kind { REAL, INTEGER, CHOICE }

    public OptionSpec {
        Objects.requireNonNull(name, "option name");
        Objects.requireNonNull(kind, "option kind");
        Objects.requireNonNull(defaultValue, "option default");
        choices = List.copyOf(choices);
        Objects.requireNonNull(description, "option description");
    }

    /** A real option valid in {@code [min, max]}; {@code min = Double.MIN_VALUE} means {@code (0, max]}. */
    public static OptionSpec real(String name, double defaultValue, double min, double max, String description) {
        return new OptionSpec(name, Kind.REAL, Double.toString(defaultValue), min, max, List.of(), description);
    }

    /** An integer option valid in {@code [min, max]}. */
    public static OptionSpec integer(String name, int defaultValue, int min, int max, String description) {
        return new OptionSpec(name, Kind.INTEGER, Integer.toString(defaultValue), min, max, List.of(), description);
    }

    /** An option taking one of {@code choices} (case-insensitive). */
    public static OptionSpec choice(String name, String defaultValue, List<String> choices, String description) {
        return new OptionSpec(name, Kind.CHOICE, defaultValue, Double.NaN, Double.NaN, choices, description);
    }

    /**
     * Parses and checks a value given as text.
     *
     * @return a {@link Double}, {@link Integer} or {@link String} (a choice, lower case)
     * @throws IllegalArgumentException naming the strategy, the option, the value and what is valid
     */
    public Object parse(String strategy, String text) {
        String value = text == null ? "" : text.trim();
        switch (kind) {
            case REAL -> {
                double v;
                try {
                    v = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw invalid(strategy, text, "a real number in " + range());
                }
                if (!(v >= min && v <= max)) throw invalid(strategy, text, "a real number in " + range());
                return v;
            }
            case INTEGER -> {
                int v;
                try {
                    v = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw invalid(strategy, text, "an integer in " + range());
                }
                if (v < min || v > max) throw invalid(strategy, text, "an integer in " + range());
                return v;
            }
            default -> {
                String v = value.toLowerCase(Locale.ROOT);
                if (!choices.contains(v)) throw invalid(strategy, text, "one of " + choices);
                return v;
            }
        }
    }

    private IllegalArgumentException invalid(String strategy, String text, String expected) {
        return new IllegalArgumentException("strategy '" + strategy + "': option '" + name + "' = '" + text
                + "' is invalid, expected " + expected);
    }

    private String range() {
        String lower = min == Double.MIN_VALUE ? "(0" : "[" + format(min);
        return lower + ", " + format(max) + "]";
    }

    private String format(double v) {
        if (v == Double.POSITIVE_INFINITY) return "inf";
        if (v == Double.NEGATIVE_INFINITY) return "-inf";
        return kind == Kind.INTEGER || v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** One line of help: {@code name (kind, default d, range): description}. */
    public String help() {
        String valid = kind == Kind.CHOICE ? "one of " + choices : range();
        return name + " (" + kind.name().toLowerCase(Locale.ROOT) + ", default " + defaultValue + ", " + valid + "): "
                + description;
    }
}
