package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.repmtl.arbiter.RepMtlCandidate;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.CsaVariant;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.train.ModelSelection;
import io.github.repmtl.samediff.train.Optimizer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One method of {@code repmtl compare}, parsed from an entry of {@code --methods}:
 * <pre>
 *   stl                                   the single-task baselines: one model per task
 *   STRATEGY[:KEY=VALUE...]               a strategy of the registry (ew, uw, pcgrad, ...) with its options;
 *                                         gradientMode=parameters|representation is the gradient mode
 *   rep-mtl[:KEY=VALUE...]                Rep-MTL on equal weighting
 *   STRATEGY[:...]+rep-mtl[:...]          Rep-MTL on a strategy
 * </pre>
 * Rep-MTL's keys: {@code lambdaTsr}, {@code lambdaCsa}, {@code tau}, {@code csaVariant} (paper, infonce),
 * {@code logTransform} (true, false), {@code config} (the {@code --config} file, e.g. a search's
 * {@code best-config.json}) or {@code config=FILE}, and {@code schedule} (the {@code --lambda-schedule} file, e.g.
 * population-based training's {@code best-schedule.json}) or {@code schedule=FILE}. A configuration file's regularizer
 * values are the base and explicit keys override them; without a file the base is {@link RepMtlCandidate#defaults()}
 * (what {@code repmtl train --rep-mtl} uses). Only a file's regularizer values are used: its learning rate and
 * strategy are not (every method trains with the command's learning rate and the strategy it names). A schedule
 * gives {@code lambdaTsr}, {@code lambdaCsa} and {@code tau} by epoch, instead of the constants (which it excludes),
 * as {@code train --lambda-schedule}. Names and keys are case-insensitive, {@code -} and {@code _} in keys are ignored.
 *
 * @param label          the canonical spelling, e.g. {@code uw+rep-mtl:lambdaTsr=0.001}
 * @param singleTask     true for {@code stl}
 * @param strategy       the registry's name of the strategy ({@code ew} without one)
 * @param strategyOptions the strategy's options as text
 * @param gradientMode   the gradient mode, or null for the strategy's default
 * @param repMtl         the regularizer's settings (only its regularizer values are used), or null without Rep-MTL
 * @param configFile     the configuration file the Rep-MTL values came from, or null
 * @param schedule       Rep-MTL's lambdas and tau by epoch (then {@code repMtl}'s constants are not used), or null
 * @param scheduleFile   the file the schedule came from, or null
 */
record CompareMethod(String label, boolean singleTask, String strategy, Map<String, String> strategyOptions, GradientMode gradientMode,
                     RepMtlCandidate repMtl, Path configFile, RepMtlSchedule schedule, Path scheduleFile) {
    static final String STL = "stl";
    static final String REP_MTL = "rep-mtl";
    private static final List<String> REP_MTL_KEYS = List.of("lambdaTsr", "lambdaCsa", "tau", "csaVariant", "logTransform", "config", "schedule");

    CompareMethod {
        strategyOptions = Map.copyOf(strategyOptions);
    }

    /** {@link #parse(String, Path, Path)} without a {@code --lambda-schedule} file. */
    static CompareMethod parse(String text, Path defaultConfig) {
        return parse(text, defaultConfig, null);
    }

    /**
     * Parses one entry of {@code --methods}.
     *
     * @param defaultConfig   the {@code --config} file, or null
     * @param defaultSchedule the {@code --lambda-schedule} file, or null
     * @throws IllegalArgumentException naming the method and what is wrong with it
     */
    static CompareMethod parse(String text, Path defaultConfig, Path defaultSchedule) {
        String method = text == null ? "" : text.trim();
        if (method.isEmpty()) throw new IllegalArgumentException("--methods has an empty entry");
        if (method.equalsIgnoreCase(STL)) return new CompareMethod(STL, true, "ew", Map.of(), null, null, null, null, null);
        String[] parts = method.split("\\+", -1);
        if (parts.length > 2)
            throw new IllegalArgumentException("method '" + method + "': at most one strategy and rep-mtl, joined by '+' (e.g. uw+rep-mtl)");
        String strategyName = null, strategyLabel = null, repLabel = null;
        Map<String, String> options = new LinkedHashMap<>();
        GradientMode mode = null;
        RepMtlCandidate rep = null;
        Path file = null, scheduleFile = null;
        RepMtlSchedule schedule = null;
        for (String part : parts) {
            String[] tokens = part.split(":", -1);
            String name = tokens[0].trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (name.isEmpty()) throw new IllegalArgumentException("method '" + method + "': a part has no name");
            if (name.equals(STL)) throw new IllegalArgumentException("method '" + method + "': stl (the single-task baselines) stands alone");
            if (name.equals(REP_MTL) || name.equals("repmtl")) {
                if (repLabel != null) throw new IllegalArgumentException("method '" + method + "' names rep-mtl twice");
                StringBuilder l = new StringBuilder(REP_MTL);
                Map<String, String> values = new LinkedHashMap<>();
                for (int i = 1; i < tokens.length; i++) {
                    String[] kv = keyValue(method, tokens[i]);
                    String key = repMtlKey(method, kv[0]);
                    if (values.put(key, kv[1]) != null) throw new IllegalArgumentException("method '" + method + "' gives " + key + " twice");
                    l.append(':').append(key).append(kv[1] == null ? "" : "=" + kv[1]);
                }
                repLabel = l.toString();
                if (values.containsKey("config")) {
                    String f = values.get("config");
                    file = f != null ? Path.of(f) : defaultConfig;
                    if (file == null) throw new IllegalArgumentException("method '" + method + "': config needs --config FILE (or config=FILE)");
                }
                if (values.containsKey("schedule")) {
                    for (String constant : List.of("lambdaTsr", "lambdaCsa", "tau"))
                        if (values.containsKey(constant))
                            throw new IllegalArgumentException("method '" + method + "': schedule holds lambdaTsr, lambdaCsa and tau by epoch; give it or " + constant + ", not both");
                    String f = values.get("schedule");
                    scheduleFile = f != null ? Path.of(f) : defaultSchedule;
                    if (scheduleFile == null) throw new IllegalArgumentException("method '" + method + "': schedule needs --lambda-schedule FILE (or schedule=FILE)");
                    schedule = RepMtlSchedule.load(scheduleFile);
                }
                rep = repMtl(method, file == null ? RepMtlCandidate.defaults() : RepMtlCandidate.load(file), values);
            } else {
                if (strategyName != null) throw new IllegalArgumentException("method '" + method + "' names two strategies");
                try {
                    strategyName = Strategies.descriptor(name).name();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown method '" + method + "': '" + tokens[0].trim() + "' is neither stl, rep-mtl nor a strategy "
                            + Strategies.names());
                }
                StringBuilder l = new StringBuilder(strategyName);
                for (int i = 1; i < tokens.length; i++) {
                    String[] kv = keyValue(method, tokens[i]);
                    if (kv[1] == null) throw new IllegalArgumentException("method '" + method + "': strategy option '" + kv[0] + "' needs a value (KEY=VALUE)");
                    if (kv[0].replace("-", "").replace("_", "").equalsIgnoreCase("gradientmode")) {
                        if (mode != null) throw new IllegalArgumentException("method '" + method + "' gives gradientMode twice");
                        mode = TrainCommand.gradientMode(kv[1]);
                        l.append(":gradientMode=").append(mode.name().toLowerCase(Locale.ROOT));
                    } else {
                        if (options.put(kv[0], kv[1]) != null)
                            throw new IllegalArgumentException("method '" + method + "' gives strategy option " + kv[0] + " twice");
                        l.append(':').append(kv[0]).append('=').append(kv[1]);
                    }
                }
                strategyLabel = l.toString();
            }
        }
        String s = strategyName != null ? strategyName : "ew";
        try {                                                     // options and mode checked as train checks them, before any data is read
            if (mode == null) Strategies.create(s, List.of("a", "b"), options);
            else Strategies.create(s, List.of("a", "b"), options, mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("method '" + method + "': " + e.getMessage(), e);
        }
        String label = strategyLabel == null ? repLabel : repLabel == null ? strategyLabel : strategyLabel + "+" + repLabel;
        return new CompareMethod(label, false, s, options, mode, rep, file, schedule, scheduleFile);
    }

    private static String[] keyValue(String method, String token) {
        String t = token.trim();
        if (t.isEmpty()) throw new IllegalArgumentException("method '" + method + "' has an empty option (two ':' in a row?)");
        int eq = t.indexOf('=');
        if (eq < 0) return new String[]{t, null};
        String key = t.substring(0, eq).trim(), value = t.substring(eq + 1).trim();
        if (key.isEmpty() || value.isEmpty()) throw new IllegalArgumentException("method '" + method + "': option '" + t + "' must be KEY=VALUE");
        return new String[]{key, value};
    }

    private static String repMtlKey(String method, String key) {
        String k = key.replace("-", "").replace("_", "");
        for (String valid : REP_MTL_KEYS) if (valid.equalsIgnoreCase(k)) return valid;
        throw new IllegalArgumentException("method '" + method + "': unknown Rep-MTL key '" + key + "'; valid: " + REP_MTL_KEYS);
    }

    /** The base configuration with the explicit keys applied, validated. */
    private static RepMtlCandidate repMtl(String method, RepMtlCandidate base, Map<String, String> values) {
        double lambdaTsr = base.lambdaTsr(), lambdaCsa = base.lambdaCsa(), tau = base.tau();
        CsaVariant variant = base.csaVariant();
        boolean log = base.logTransform();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey(), v = e.getValue();
            if (key.equals("config") || key.equals("schedule")) continue;
            if (v == null) throw new IllegalArgumentException("method '" + method + "': " + key + " needs a value (" + key + "=VALUE)");
            switch (key) {
                case "lambdaTsr" -> lambdaTsr = number(method, key, v);
                case "lambdaCsa" -> lambdaCsa = number(method, key, v);
                case "tau" -> tau = number(method, key, v);
                case "csaVariant" -> variant = RepMtlOptions.variant(v);
                case "logTransform" -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false"))
                        throw new IllegalArgumentException("method '" + method + "': logTransform must be true or false, got '" + v + "'");
                    log = Boolean.parseBoolean(v.toLowerCase(Locale.ROOT));
                }
                default -> throw new IllegalStateException(key);
            }
        }
        try {
            return new RepMtlCandidate(lambdaTsr, lambdaCsa, tau, variant, log, RepMtlCandidate.DEFAULT_LEARNING_RATE, "ew").validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("method '" + method + "': " + e.getMessage(), e);
        }
    }

    private static double number(String method, String key, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("method '" + method + "': " + key + " must be a number, got '" + v + "'");
        }
    }

    /** A folder name for this method's results: the label with characters other than letters, digits, {@code . + = -} as {@code _}. */
    String folder() {
        String f = label.replaceAll("[^A-Za-z0-9.+=-]", "_");
        return f.length() <= 80 ? f : f.substring(0, 60) + "-" + Integer.toHexString(label.hashCode());
    }

    /** What this method trains (not its spelling): two methods with equal descriptions are the same. */
    ObjectNode describe(ObjectMapper json) {
        ObjectNode d = json.createObjectNode();
        d.put("singleTask", singleTask);
        d.put("strategy", strategy);
        ObjectNode o = d.putObject("strategyOptions");
        new java.util.TreeMap<>(strategyOptions).forEach(o::put);
        d.put("gradientMode", gradientMode == null ? null : gradientMode.name().toLowerCase(Locale.ROOT));
        if (repMtl == null) {
            d.putNull("repMtl");
        } else {
            ObjectNode r = d.putObject("repMtl");
            if (schedule == null) {
                r.put("lambdaTsr", repMtl.lambdaTsr());
                r.put("lambdaCsa", repMtl.lambdaCsa());
                r.put("tau", repMtl.tau());
            } else {
                r.set("schedule", schedule.canonical().toJson());
            }
            r.put("csaVariant", repMtl.csaVariant().name());
            r.put("logTransform", repMtl.logTransform());
        }
        return d;
    }

    /** This method's Rep-MTL regularizer for {@code model} (its constants, or its schedule), or null without Rep-MTL. */
    RepMtl regularizer(MultiTaskModel model) {
        if (repMtl == null) return null;
        if (schedule == null) return repMtl.repMtl(model).build();
        return RepMtl.builder(model).schedule(schedule).csaVariant(repMtl.csaVariant()).logTransform(repMtl.logTransform()).build();
    }

    /** The training settings of this method's runs, in the form {@link TrainCommand#trainer} takes. */
    TrainCommand.Settings settings(String model, double learningRate, Optimizer optimizer, int epochs) {
        return new TrainCommand.Settings(model, strategy, strategyOptions, gradientMode, repMtl != null, learningRate, optimizer, epochs,
                ModelSelection.bestDeltaP());
    }
}
