package io.github.repmtl.examples.cli;

import io.github.repmtl.samediff.verify.GoldenVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code repmtl verify-golden FILE.json...}: checks Rep-MTL against golden fixtures; exit 0 only when all pass. */
@Command(mixinStandardHelpOptions = true, name = "verify-golden", description = "Check this implementation against golden-value fixtures (float64).")
final class VerifyGoldenCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Fixture JSON files (format: shared/golden/README.md).")
    List<Path> files;

    @Override
    public Integer call() {
        boolean all = true;
        for (Path f : files) {
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException("fixture file not found: " + f);
            all &= GoldenVerifier.run(f, System.out);
        }
        return all ? 0 : 1;
    }
}
