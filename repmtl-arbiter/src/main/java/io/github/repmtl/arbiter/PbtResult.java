package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.regularizer.RepMtlSchedule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a population-based training: every member with its schedule and round records, the best member
 * after the last round and the files in the output directory.
 */
public record PbtResult(Path outputDir, PbtConfig config, List<PbtMember> members, int bestMember) {
    public static final String BEST_SCHEDULE_FILE = "best-schedule.json";
    public static final String MODEL_DIRECTORY = "model";

    public PbtResult {
        members = List.copyOf(members);
    }

    public PbtMember best() { return members.get(bestMember); }

    /** The best member's objective after the last round. */
    public double bestObjective() { return last(best()).objective(); }

    /** The best member's schedule over the trained epochs, as {@value #BEST_SCHEDULE_FILE} holds it. */
    public RepMtlSchedule bestSchedule() { return best().schedule().upTo(config.totalEpochs() - 1); }

    public Path stateFile() { return outputDir.resolve(PbtState.FILE); }
    public Path schedulesFile() { return outputDir.resolve(PbtLineage.SCHEDULES_FILE); }
    public Path lineageFile() { return outputDir.resolve(PbtLineage.LINEAGE_FILE); }
    public Path bestScheduleFile() { return outputDir.resolve(BEST_SCHEDULE_FILE); }
    /** The best member's settings with its last values ({@code repmtl train --config}; add the schedule file to replay the schedule). */
    public Path bestConfigFile() { return outputDir.resolve(RepMtlCandidate.BEST_CONFIG_FILE); }
    /** The best member's model after the last round (MultiTaskModelFiles). */
    public Path modelDir() { return outputDir.resolve(MODEL_DIRECTORY); }

    /** A checkpoint directory of member {@code member}. */
    public Path checkpointDir(int member) { return PbtMemberTrainer.checkpointDir(outputDir, member); }

    /** A plain-text table of the last round, best first, with the number of exploits in each member's lineage. */
    public String summary() {
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "PBT: %d members, %d rounds of %d epoch(s), by %s on validation; best member %d",
                config.population(), config.rounds(), config.readyEpochs(), config.objective().cliName(), bestMember)).append(nl);
        List<PbtMember> ranked = new ArrayList<>(members);
        ranked.sort(java.util.Comparator.comparingInt(m -> last(m).rank()));
        sb.append(String.format(Locale.ROOT, "%4s %6s %12s %10s %10s %10s %8s%n", "rank", "member", "objective", "lambdaTsr", "lambdaCsa", "tau", "exploits"));
        for (PbtMember m : ranked) {
            PbtRoundRecord r = last(m);
            PbtHyperparameters h = r.hyperparameters();
            long exploits = m.rounds().stream().filter(x -> x.exploitedFrom() != null).count();
            sb.append(String.format(Locale.ROOT, "%4d %6d %12s %10.4g %10.4g %10.4g %8d%n", r.rank(), m.index(),
                    Double.isNaN(r.objective()) ? "-" : String.format(Locale.ROOT, "%.5g", r.objective()), h.lambdaTsr(), h.lambdaCsa(), h.tau(), exploits));
        }
        return sb.toString();
    }

    private PbtRoundRecord last(PbtMember m) { return m.rounds().get(config.rounds() - 1); }
}
