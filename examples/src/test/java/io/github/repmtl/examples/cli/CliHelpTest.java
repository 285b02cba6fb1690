package io.github.repmtl.examples.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command takes -h/--help, and every option says what it does and, where it has one, its default. */
class CliHelpTest {
    private static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        List<CommandLine> todo = new ArrayList<>(List.of(new CommandLine(new RepMtlCli())));
        while (!todo.isEmpty()) {
            CommandLine c = todo.remove(0);
            all.add(c);
            todo.addAll(c.getSubcommands().values().stream().filter(s -> !(s.getCommand() instanceof CommandLine.HelpCommand)).toList());
        }
        return all;
    }

    private static String[] path(CommandSpec spec, String flag) {
        List<String> names = new ArrayList<>();
        for (CommandSpec s = spec; s.parent() != null; s = s.parent()) names.add(0, s.name());
        names.add(flag);
        return names.toArray(String[]::new);
    }

    @Test
    void everyCommandAnswersHelpWithUsage() {
        List<CommandLine> commands = commands();
        assertTrue(commands.size() >= 8, "subcommands found: " + commands.size());
        for (CommandLine c : commands) {
            for (String flag : List.of("-h", "--help")) {
                CliRunner.Result r = CliRunner.run(path(c.getCommandSpec(), flag));
                assertEquals(0, r.code(), c.getCommandName() + " " + flag + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: repmtl"), c.getCommandName() + " " + flag + " printed: " + r.out());
            }
        }
    }

    @Test
    void everyOptionHasADescriptionAndShowsItsDefault() {
        List<String> problems = new ArrayList<>();
        for (CommandLine c : commands()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) continue;
                String text = String.join(" ", o.description());
                String where = c.getCommandSpec().qualifiedName() + " " + o.longestName();
                if (text.isBlank()) problems.add(where + ": no description");
                else if (o.defaultValue() != null && !text.contains("${DEFAULT-VALUE}") && !text.toLowerCase().contains("default"))
                    problems.add(where + ": default " + o.defaultValue() + " not shown");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
