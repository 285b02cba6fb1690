package io.github.repmtl.examples.cli;

import io.github.repmtl.arbiter.RepMtlCandidate;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.CsaVariant;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Rep-MTL flags of {@code train} (a picocli mixin): on/off, the regularizer's settings, or a configuration file
 * exported by {@code repmtl search} ({@code best-config.json}), whose values the explicit flags override. The
 * configuration file also carries a learning rate and a strategy, which {@code train} uses unless
 * {@code --lr} / {@code --strategy} are given. {@code --lambda-schedule} replays a schedule of the three hyperparameters
 * by epoch ({@code best-schedule.json} of {@code repmtl search --generator pbt}).
 */
final class RepMtlOptions {
    @Option(names = "--rep-mtl", description = "Add the Rep-MTL regularizer (TSR + CSA) to the objective.")
    boolean enabled;

    @Option(names = "--lambda-tsr", paramLabel = "X", description = "Weight of TSR (default 0.9).")
    Double lambdaTsr;

    @Option(names = "--lambda-csa", paramLabel = "X", description = "Weight of CSA (default 0.9).")
    Double lambdaCsa;

    @Option(names = "--tau", paramLabel = "X", description = "CSA temperature (default 0.5).")
    Double tau;

    @Option(names = "--csa-variant", paramLabel = "NAME", description = "paper (default) or infonce.")
    String csaVariant;

    @Option(names = "--no-log-transform", description = "Use the task losses L_t instead of log L_t in the objective and the saliencies.")
    boolean noLogTransform;

    @Option(names = "--config", paramLabel = "FILE", description = "A Rep-MTL configuration (best-config.json of 'repmtl search'); implies --rep-mtl.")
    Path config;

    @Option(names = "--lambda-schedule", paramLabel = "FILE", description = "lambda_tsr, lambda_csa and tau by epoch from a schedule file "
            + "(best-schedule.json of 'repmtl search --generator pbt'); implies --rep-mtl; instead of --lambda-tsr, --lambda-csa, --tau "
            + "(and of the --config file's values).")
    Path lambdaSchedule;

    private RepMtlCandidate loaded;

    /** The configuration file's content, or null without {@code --config}. */
    RepMtlCandidate configuration() {
        if (config != null && loaded == null) loaded = RepMtlCandidate.load(config);
        return loaded;
    }

    /** Whether Rep-MTL is on; Rep-MTL settings without {@code --rep-mtl} or {@code --config} are an error. */
    boolean isOn() {
        boolean on = enabled || config != null || lambdaSchedule != null;
        if (!on && (lambdaTsr != null || lambdaCsa != null || tau != null || csaVariant != null || noLogTransform))
            throw new IllegalArgumentException("Rep-MTL settings (--lambda-tsr, --lambda-csa, --tau, --csa-variant, --no-log-transform) need --rep-mtl or --config");
        if (lambdaSchedule != null && (lambdaTsr != null || lambdaCsa != null || tau != null))
            throw new IllegalArgumentException("--lambda-schedule holds lambda_tsr, lambda_csa and tau by epoch: give it or --lambda-tsr/--lambda-csa/--tau, not both");
        if (lambdaSchedule != null) schedule();                               // a missing or malformed file is reported before any data is read
        return on;
    }

    /** The regularizer for {@code model}: flags, else the configuration file, else the spec's defaults. */
    RepMtl build(MultiTaskModel model) {
        RepMtlCandidate c = configuration() != null ? configuration() : RepMtlCandidate.defaults();
        if (lambdaSchedule != null)
            return RepMtl.builder(model).schedule(schedule()).csaVariant(csaVariant != null ? variant(csaVariant) : c.csaVariant())
                    .logTransform(!noLogTransform && c.logTransform()).build();
        return RepMtl.builder(model)
                .lambdaTsr(lambdaTsr != null ? lambdaTsr : c.lambdaTsr())
                .lambdaCsa(lambdaCsa != null ? lambdaCsa : c.lambdaCsa())
                .tau(tau != null ? tau : c.tau())
                .csaVariant(csaVariant != null ? variant(csaVariant) : c.csaVariant())
                .logTransform(!noLogTransform && c.logTransform())
                .build();
    }

    private RepMtlSchedule schedule;

    private RepMtlSchedule schedule() {
        if (schedule == null) schedule = RepMtlSchedule.load(lambdaSchedule);
        return schedule;
    }

    static CsaVariant variant(String name) {
        for (CsaVariant v : CsaVariant.values()) if (v.name().equalsIgnoreCase(name.trim())) return v;
        throw new IllegalArgumentException("unknown CSA variant '" + name + "'; valid: "
                + Arrays.stream(CsaVariant.values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList());
    }
}
