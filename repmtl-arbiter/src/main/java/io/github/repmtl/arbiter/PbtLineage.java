package io.github.repmtl.arbiter;

import java.util.List;

/**
 * The reports of a population-based training derived from its state, rewritten with it:
 * <ul>
 *   <li>{@value #SCHEDULES_FILE}: {@code member,epoch,lambda_tsr,lambda_csa,tau}, per member the hyperparameters of
 *       every trained epoch of the schedule its current weights were trained with (after an exploit, the source's
 *       history up to the copied epoch);</li>
 *   <li>{@value #LINEAGE_FILE}: one row per round and member: the hyperparameters the member trained with in that
 *       round, its objective and rank after it, the member it copied afterwards (empty: kept its own weights) and its
 *       next round's hyperparameters, and the error of a failed training.</li>
 * </ul>
 */
final class PbtLineage {
    static final String SCHEDULES_FILE = "schedules.csv";
    static final String LINEAGE_FILE = "lineage.csv";

    private PbtLineage() {}

    static String schedules(List<PbtMember> members, int trainedEpochs) {
        StringBuilder sb = new StringBuilder("member,epoch,lambda_tsr,lambda_csa,tau").append('\n');
        for (PbtMember m : members)
            for (int e = 0; e < trainedEpochs; e++) {
                PbtHyperparameters h = m.at(e);
                sb.append(m.index()).append(',').append(e).append(',').append(h.lambdaTsr()).append(',').append(h.lambdaCsa()).append(',')
                        .append(h.tau()).append('\n');
            }
        return sb.toString();
    }

    static String lineage(List<PbtMember> members, int rounds) {
        StringBuilder sb = new StringBuilder("round,member,lambda_tsr,lambda_csa,tau,objective,rank,exploited_from,next_lambda_tsr,next_lambda_csa,next_tau,error")
                .append('\n');
        for (int r = 0; r < rounds; r++)
            for (PbtMember m : members) {
                PbtRoundRecord rec = m.rounds().get(r);
                PbtHyperparameters h = rec.hyperparameters(), n = rec.next();
                sb.append(r).append(',').append(m.index()).append(',').append(h.lambdaTsr()).append(',').append(h.lambdaCsa()).append(',')
                        .append(h.tau()).append(',').append(Double.isNaN(rec.objective()) ? "" : Double.toString(rec.objective())).append(',')
                        .append(rec.rank()).append(',').append(rec.exploitedFrom() == null ? "" : rec.exploitedFrom().toString()).append(',')
                        .append(n == null ? "," + "," : n.lambdaTsr() + "," + n.lambdaCsa() + "," + n.tau()).append(',')
                        .append(rec.error() == null ? "" : quote(rec.error())).append('\n');
            }
        return sb.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"").replace('\n', ' ').replace('\r', ' ') + "\"";
    }
}
