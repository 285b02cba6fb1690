package io.github.repmtl.arbiter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The output directory of a search. Every finished candidate is written at once as its own JSON record
 * ({@code candidates/candidate-00007.json}); after each record the derived reports are rewritten from all
 * records: {@value #CSV_FILE}, {@value #SUMMARY_FILE} and {@value RepMtlCandidate#BEST_CONFIG_FILE}. Every file is
 * written atomically (temporary file, then rename), so a search killed at any moment leaves only complete files;
 * leftover temporary files of an interrupted write are deleted when the directory is opened again.
 */
final class ResultStore {
    static final String CANDIDATE_DIRECTORY = "candidates";
    static final String CSV_FILE = "results.csv";
    static final String SUMMARY_FILE = "summary.txt";
    private static final int SUMMARY_ROWS = 10;
    private static final Logger log = LoggerFactory.getLogger(ResultStore.class);

    private final Path dir;
    private final SearchObjective objective;
    private final Map<Integer, CandidateRecord> records = new TreeMap<>();

    private ResultStore(Path dir, SearchObjective objective) {
        this.dir = dir;
        this.objective = objective;
    }

    /** Opens (creating if needed) an output directory and loads the records of earlier runs. */
    static ResultStore open(Path dir, SearchObjective objective) {
        ResultStore store = new ResultStore(dir, objective);
        Path candidates = dir.resolve(CANDIDATE_DIRECTORY);
        try {
            Files.createDirectories(candidates);
            try (Stream<Path> files = Files.list(candidates)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(AtomicFiles.TEMP_SUFFIX)) {
                        log.info("deleting {}, left by an interrupted write", f);
                        Files.delete(f);
                    } else if (name.endsWith(".json")) {
                        CandidateRecord r = CandidateRecord.fromJson(Files.readString(f, StandardCharsets.UTF_8), "candidate record " + f);
                        if (!f.equals(recordFile(dir, r.index())))
                            throw new IllegalArgumentException("candidate record " + f + " holds candidate " + r.index() + ", expected in " + recordFile(dir, r.index()));
                        if (r.objective() != objective)
                            throw new IllegalArgumentException("candidate record " + f + " was scored by " + r.objective() + ", this search uses " + objective);
                        store.records.put(r.index(), r);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read search output directory " + dir + ": " + e.getMessage(), e);
        }
        if (!store.records.isEmpty()) log.info("{}: {} finished candidate(s) from an earlier run will be skipped", dir, store.records.size());
        return store;
    }

    static Path recordFile(Path dir, int index) {
        return dir.resolve(CANDIDATE_DIRECTORY).resolve(String.format(Locale.ROOT, "candidate-%05d.json", index));
    }

    Path recordFile(int index) { return recordFile(dir, index); }

    synchronized Optional<CandidateRecord> get(int index) { return Optional.ofNullable(records.get(index)); }

    /** Writes a new record and the reports derived from all records. */
    synchronized void add(CandidateRecord record) {
        if (records.containsKey(record.index())) throw new IllegalStateException("candidate " + record.index() + " is already recorded in " + dir);
        AtomicFiles.writeString(recordFile(dir, record.index()), record.toJson());
        records.put(record.index(), record);
        SearchResult result = result();
        AtomicFiles.writeString(dir.resolve(CSV_FILE), ResultsCsv.render(result.records()));
        AtomicFiles.writeString(dir.resolve(SUMMARY_FILE), "Search in " + dir + ", updated " + Instant.now() + System.lineSeparator()
                + result.summary(SUMMARY_ROWS));
        result.bestCandidate().ifPresent(best -> best.save(result.bestConfigFile()));
    }

    synchronized SearchResult result() { return new SearchResult(dir, objective, new ArrayList<>(records.values())); }
}
