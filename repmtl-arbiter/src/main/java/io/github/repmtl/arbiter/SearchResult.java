package io.github.repmtl.arbiter;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of a search: every candidate record in index order (including those of earlier runs in the same
 * output directory), the ranking of the completed ones, the best configuration and the files written:
 * {@value ResultStore#CSV_FILE}, {@value ResultStore#SUMMARY_FILE}, {@value RepMtlCandidate#BEST_CONFIG_FILE} and
 * one JSON record per candidate under {@value ResultStore#CANDIDATE_DIRECTORY}/.
 */
public final class SearchResult {
    private final Path outputDir;
    private final SearchObjective objective;
    private final List<CandidateRecord> records;
    private final List<CandidateRecord> ranked;

    SearchResult(Path outputDir, SearchObjective objective, List<CandidateRecord> records) {
        this.outputDir = outputDir;
        this.objective = objective;
        this.records = records.stream().sorted(Comparator.comparingInt(CandidateRecord::index)).toList();
        Comparator<CandidateRecord> byScore = Comparator.comparingDouble(CandidateRecord::score);
        this.ranked = this.records.stream().filter(CandidateRecord::isCompleted)
                .sorted((objective.minimize() ? byScore : byScore.reversed()).thenComparingInt(CandidateRecord::index)).toList();
    }

    public SearchObjective objective() { return objective; }

    /** All records, completed and failed, by candidate index. */
    public List<CandidateRecord> records() { return records; }

    /** Completed records, best score first (ties: lower index first). */
    public List<CandidateRecord> ranked() { return ranked; }

    /** The best completed record, empty when none completed. */
    public Optional<CandidateRecord> best() { return ranked.stream().findFirst(); }

    /** The best configuration in the form {@link RepMtlCandidate#load(Path)} reads. */
    public Optional<RepMtlCandidate> bestCandidate() { return best().map(r -> r.candidate().validate()); }

    public int completedCount() { return ranked.size(); }

    public int failedCount() { return records.size() - ranked.size(); }

    /** A text table of the {@code topK} best candidates with the counts of completed and failed ones. */
    public String summary(int topK) {
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        return SummaryTable.render(ranked, records, objective, topK);
    }

    public Path outputDir() { return outputDir; }

    /** The exported best configuration (exists once a candidate has completed). */
    public Path bestConfigFile() { return outputDir.resolve(RepMtlCandidate.BEST_CONFIG_FILE); }

    /** One row per candidate. */
    public Path csvFile() { return outputDir.resolve(ResultStore.CSV_FILE); }

    /** The JSON record of one candidate. */
    public Path recordFile(int index) { return ResultStore.recordFile(outputDir, index); }

    @Override
    public String toString() { return summary(5); }
}
