package io.github.repmtl.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code repmtl} command line. Errors (a wrong flag, a missing dataset, a bad path) print one line and
 * exit non-zero; {@code --verbose} adds the stack trace.
 */
@Command(name = "repmtl", mixinStandardHelpOptions = true, version = "repmtl 0.1.0-SNAPSHOT",
        description = "Rep-MTL and multi-task learning for Deeplearning4j / SameDiff.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, SearchCommand.class, CompareCommand.class, AnalyzeCommand.class,
                VerifyGoldenCommand.class, BenchCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class})
public final class RepMtlCli implements Runnable {
    @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new RepMtlCli());
        cl.setParameterExceptionHandler((ex, unused) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("repmtl: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = parsed.matchedOptionValue("--verbose", false)
                    || parsed.subcommands().stream().anyMatch(p -> p.matchedOptionValue("--verbose", false));
            Throwable root = ex;
            while (root.getCause() != null && root.getMessage() == null) root = root.getCause();
            cmd.getErr().println("repmtl: " + (root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName()));
            if (verbose) ex.printStackTrace(cmd.getErr());
            return 2;
        });
        return cl.execute(args);
    }
}
