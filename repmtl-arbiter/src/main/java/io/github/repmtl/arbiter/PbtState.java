package io.github.repmtl.arbiter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The loop state of a population-based training, which is also its report: {@value #FILE} in the output directory,
 * rewritten atomically after every round's training, after every exploit decision and after its checkpoint copies.
 * It holds the settings, the rounds completed, whether the last completed round's exploit and explore is decided,
 * the copies of that decision still to make, and per member its schedule and round records. A run restarted on
 * the directory continues from it (re-making pending copies, which are idempotent) and ends as an uninterrupted run.
 */
final class PbtState {
    static final String FILE = "pbt.json";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A checkpoint copy decided but perhaps not made: {@code source}'s {@code file} into {@code member}'s directory. */
    record PendingCopy(int member, int source, String file) {}

    private final Map<String, Object> config;
    private int rounds;
    private int completedRounds;
    private boolean decided;
    private final List<PbtMember> members;
    private List<PendingCopy> pendingCopies;

    private PbtState(Map<String, Object> config, int rounds, int completedRounds, boolean decided, List<PbtMember> members, List<PendingCopy> pending) {
        this.config = config;
        this.rounds = rounds;
        this.completedRounds = completedRounds;
        this.decided = decided;
        this.members = new ArrayList<>(members);
        this.pendingCopies = List.copyOf(pending);
    }

    /** A new run: every member with its start values from epoch 0 and no rounds. */
    static PbtState fresh(PbtConfig cfg, List<PbtHyperparameters> starts) {
        List<PbtMember> members = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            PbtHyperparameters h = starts.get(i);
            members.add(new PbtMember(i, RepMtlSchedule.constant(h.lambdaTsr(), h.lambdaCsa(), h.tau()), List.of()));
        }
        return new PbtState(cfg.describe(true), cfg.rounds(), 0, false, members, List.of());
    }

    int rounds() { return rounds; }
    int completedRounds() { return completedRounds; }
    /** Whether the exploit and explore after the last completed round is decided. */
    boolean decided() { return decided; }
    List<PbtMember> members() { return List.copyOf(members); }
    PbtMember member(int i) { return members.get(i); }
    List<PendingCopy> pendingCopies() { return pendingCopies; }

    /** A resumed run with (at least as many) {@code rounds}. */
    void extendTo(PbtConfig cfg) {
        rounds = cfg.rounds();
        config.clear();
        config.putAll(cfg.describe(true));
    }

    /** Round {@code completedRounds} trained: its records (one per member, in member order) added. */
    void completeRound(List<PbtRoundRecord> records) {
        for (PbtRoundRecord r : records) {
            PbtMember m = members.get(r.member());
            List<PbtRoundRecord> list = new ArrayList<>(m.rounds());
            list.add(r);
            members.set(r.member(), new PbtMember(m.index(), m.schedule(), list));
        }
        completedRounds++;
        decided = false;
    }

    /** The last completed round's decision: new schedules, decided records and the copies to make. */
    void decide(List<RepMtlSchedule> schedules, List<PbtRoundRecord> decidedRecords, List<PendingCopy> copies) {
        for (PbtRoundRecord r : decidedRecords) {
            PbtMember m = members.get(r.member());
            List<PbtRoundRecord> list = new ArrayList<>(m.rounds());
            list.set(list.size() - 1, r);
            members.set(r.member(), new PbtMember(m.index(), schedules.get(r.member()), list));
        }
        decided = true;
        pendingCopies = List.copyOf(copies);
    }

    void copiesDone() { pendingCopies = List.of(); }

    /** The last completed round's records, best first. */
    List<PbtRoundRecord> ranking() {
        if (completedRounds == 0) return List.of();
        List<PbtRoundRecord> last = new ArrayList<>();
        for (PbtMember m : members) last.add(m.rounds().get(completedRounds - 1));
        last.sort(Comparator.comparingInt(PbtRoundRecord::rank));
        return last;
    }

    /** The best member after the last completed round. */
    Optional<PbtMember> best() {
        List<PbtRoundRecord> r = ranking();
        return r.isEmpty() ? Optional.empty() : Optional.of(members.get(r.get(0).member()));
    }

    // ---------------------------------------------------------------- JSON

    void save(Path dir) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.set("config", JSON.valueToTree(config));
        root.put("rounds", rounds);
        root.put("completedRounds", completedRounds);
        root.put("decided", decided);
        ArrayNode pending = root.putArray("pendingCopies");
        for (PendingCopy c : pendingCopies) pending.addObject().put("member", c.member()).put("source", c.source()).put("file", c.file());
        best().ifPresent(b -> {
            ObjectNode n = root.putObject("best");
            n.put("member", b.index());
            putNumber(n, "objective", b.rounds().get(completedRounds - 1).objective());
            n.set("schedule", b.schedule().upTo(completedRounds * readyEpochs() - 1).toJson());
        });
        ArrayNode list = root.putArray("members");
        for (PbtMember m : members) {
            ObjectNode n = list.addObject();
            n.put("member", m.index());
            n.set("schedule", m.schedule().toJson());
            ArrayNode rs = n.putArray("rounds");
            for (PbtRoundRecord r : m.rounds()) {
                ObjectNode o = rs.addObject();
                o.put("round", r.round());
                o.set("hyperparameters", values(r.hyperparameters()));
                putNumber(o, "objective", r.objective());
                o.put("error", r.error());
                o.put("rank", r.rank());
                if (r.exploitedFrom() == null) o.putNull("exploitedFrom");
                else o.put("exploitedFrom", r.exploitedFrom());
                if (r.next() == null) o.putNull("next");
                else o.set("next", values(r.next()));
            }
        }
        try {
            AtomicFiles.writeString(dir.resolve(FILE), JSON.writeValueAsString(root) + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the PBT state: " + e.getMessage(), e);
        }
    }

    private int readyEpochs() { return ((Number) config.get("readyEpochs")).intValue(); }

    /** The state in {@code dir}, or empty in a new directory. */
    @SuppressWarnings("unchecked")
    static Optional<PbtState> load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) return Optional.empty();
        String where = "PBT state " + file;
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root.path("format").asInt() != FORMAT) throw new IllegalArgumentException("unknown format " + root.path("format"));
            Map<String, Object> config = JSON.convertValue(root.get("config"), Map.class);
            List<PendingCopy> pending = new ArrayList<>();
            for (JsonNode c : root.withArray("pendingCopies"))
                pending.add(new PendingCopy(c.get("member").asInt(), c.get("source").asInt(), c.get("file").asText()));
            List<PbtMember> members = new ArrayList<>();
            for (JsonNode n : root.withArray("members")) {
                List<PbtRoundRecord> rounds = new ArrayList<>();
                for (JsonNode o : n.withArray("rounds")) {
                    JsonNode from = o.get("exploitedFrom"), next = o.get("next"), error = o.get("error");
                    rounds.add(new PbtRoundRecord(o.get("round").asInt(), n.get("member").asInt(), values(o.get("hyperparameters")),
                            number(o.get("objective")), error == null || error.isNull() ? null : error.asText(), o.get("rank").asInt(),
                            from == null || from.isNull() ? null : from.asInt(), next == null || next.isNull() ? null : values(next)));
                }
                members.add(new PbtMember(n.get("member").asInt(), RepMtlSchedule.fromJson(n.get("schedule"), where), rounds));
            }
            return Optional.of(new PbtState(new java.util.LinkedHashMap<>(config), root.get("rounds").asInt(), root.get("completedRounds").asInt(),
                    root.get("decided").asBoolean(), members, pending));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage() + "; restore it or use a new output directory", e);
        }
    }

    private static ObjectNode values(PbtHyperparameters h) {
        ObjectNode n = JSON.createObjectNode();
        n.put("lambdaTsr", h.lambdaTsr());
        n.put("lambdaCsa", h.lambdaCsa());
        n.put("tau", h.tau());
        return n;
    }

    private static PbtHyperparameters values(JsonNode n) {
        return new PbtHyperparameters(n.get("lambdaTsr").doubleValue(), n.get("lambdaCsa").doubleValue(), n.get("tau").doubleValue());
    }

    /** JSON has no NaN: an undefined objective is null. */
    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) n.put(key, v);
        else n.putNull(key);
    }

    private static double number(JsonNode n) { return n == null || n.isNull() ? Double.NaN : n.doubleValue(); }
}
