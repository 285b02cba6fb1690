package io.github.repmtl.samediff.strategy;

import java.util.List;

/** Creates a strategy instance for the given tasks from validated options. */
@FunctionalInterface
public interface StrategyFactory {
    MultiTaskStrategy create(List<String> taskNames, StrategyOptions options);
}
