package io.github.repmtl.arbiter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * Ranking, exploit and explore of population-based training, as pure functions of the settings, the round and the
 * objectives, so that a resumed run decides exactly as the uninterrupted one did (its random generator is derived
 * from the seed and the round, never carried over).
 *
 * <p>Ranking: better objective first (higher Delta-p, lower validation loss); an undefined objective ({@code NaN}:
 * failed or unmeasurable) last; ties by member index. Exploit: the bottom {@link PbtConfig#quantileSize()} members
 * and every member with an undefined objective copy a member drawn uniformly from the top
 * {@link PbtConfig#quantileSize()} (members with a defined objective only). Explore: per hyperparameter whose bounds
 * are not a single value, with {@link PbtConfig#resampleProbability()} a fresh draw from its bounds, otherwise the
 * source's value times {@link PbtConfig#perturbDown()} or {@link PbtConfig#perturbUp()} (even odds), clipped.
 */
final class PbtExplorer {
    /** Member {@code member} copies {@code source}'s checkpoint and continues with {@code next}. */
    record Exploit(int member, int source, PbtHyperparameters next) {}

    private PbtExplorer() {}

    /** Member indices, best first. */
    static List<Integer> ranking(double[] objectives, boolean minimize) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < objectives.length; i++) order.add(i);
        Comparator<Integer> byObjective = (a, b) -> {
            double x = objectives[a], y = objectives[b];
            boolean nx = Double.isNaN(x), ny = Double.isNaN(y);
            if (nx || ny) return Boolean.compare(nx, ny);
            return minimize ? Double.compare(x, y) : Double.compare(y, x);
        };
        order.sort(byObjective.thenComparingInt(i -> i));
        return order;
    }

    /**
     * The exploits after round {@code round}, in member order.
     *
     * @param current each member's hyperparameters of the round
     * @throws IllegalStateException when no member has a defined objective
     */
    static List<Exploit> decide(PbtConfig cfg, int round, double[] objectives, PbtHyperparameters[] current) {
        List<Integer> ranked = ranking(objectives, cfg.objective().minimize());
        int n = cfg.quantileSize();
        List<Integer> top = new ArrayList<>();
        for (int i = 0; i < n; i++) if (!Double.isNaN(objectives[ranked.get(i)])) top.add(ranked.get(i));
        TreeSet<Integer> bottom = new TreeSet<>(ranked.subList(ranked.size() - n, ranked.size()));
        for (int i = 0; i < objectives.length; i++) if (Double.isNaN(objectives[i])) bottom.add(i);
        if (top.isEmpty()) throw new IllegalStateException("round " + round + ": no member has a defined " + cfg.objective() + " objective, nothing to exploit");
        Random random = random(cfg.seed(), round);
        List<Exploit> out = new ArrayList<>();
        for (int member : bottom) {
            int source = top.get(random.nextInt(top.size()));
            out.add(new Exploit(member, source, explore(cfg, current[source], random)));
        }
        return out;
    }

    /** Explored values from {@code h}: always three draws per hyperparameter (fixed ones too), in the order lambdaTsr, lambdaCsa, tau. */
    static PbtHyperparameters explore(PbtConfig cfg, PbtHyperparameters h, Random random) {
        PbtBounds b = cfg.bounds();
        return new PbtHyperparameters(explore(cfg, h.lambdaTsr(), b.lambdaTsr(), random), explore(cfg, h.lambdaCsa(), b.lambdaCsa(), random),
                explore(cfg, h.tau(), b.tau(), random));
    }

    private static double explore(PbtConfig cfg, double v, ParameterRange range, Random random) {
        boolean resample = random.nextDouble() < cfg.resampleProbability();
        boolean up = random.nextBoolean();
        double u = random.nextDouble();
        if (range.isFixed()) return range.min();
        if (resample) return range.at(u);
        return range.clip(v * (up ? cfg.perturbUp() : cfg.perturbDown()));
    }

    /** The generator of round {@code round}'s decisions. */
    static Random random(long seed, int round) { return new Random(seed * 0x9E3779B97F4A7C15L + 31L * round + 7); }

    /** The start values drawn for {@code population} members when none are given. */
    static List<PbtHyperparameters> startValues(PbtConfig cfg) {
        if (cfg.startValues() != null) return cfg.startValues();
        Random random = new Random(cfg.seed());
        List<PbtHyperparameters> out = new ArrayList<>();
        for (int i = 0; i < cfg.population(); i++) out.add(cfg.bounds().sample(random));
        return out;
    }
}
