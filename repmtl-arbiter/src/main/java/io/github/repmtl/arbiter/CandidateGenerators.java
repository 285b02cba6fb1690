package io.github.repmtl.arbiter;

import org.apache.commons.math3.random.JDKRandomGenerator;
import org.apache.commons.math3.random.RandomGenerator;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.generator.GeneticSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.generator.genetic.crossover.SinglePointCrossover;
import org.deeplearning4j.arbiter.optimize.generator.genetic.crossover.parentselection.RandomTwoParentSelection;
import org.deeplearning4j.arbiter.optimize.generator.genetic.mutation.RandomMutationOperator;
import org.deeplearning4j.arbiter.optimize.generator.genetic.population.PopulationModel;
import org.deeplearning4j.arbiter.optimize.generator.genetic.selection.GeneticSelectionOperator;

import java.util.SplittableRandom;

/**
 * Builds Arbiter's candidate generators so that a search is reproducible from its seed: random search draws
 * from one seeded generator, grid search runs in sequential order, and every random source of the genetic
 * search (selection, crossover, parent choice, mutation) gets its own seed derived from the search seed.
 */
final class CandidateGenerators {
    private CandidateGenerators() {}

    /**
     * @param gridPoints     points per continuous dimension in grid search
     * @param populationSize population of the genetic search
     * @param score          decides whether the genetic search keeps the highest or the lowest scores
     */
    static CandidateGenerator create(SearchGenerator type, RepMtlSpace space, long seed, int gridPoints, int populationSize, ScoreFunction score) {
        switch (type) {
            case RANDOM: {
                RandomSearchGenerator g = new RandomSearchGenerator(space);
                g.setRngSeed(seed);
                return g;
            }
            case GRID:
                return new GridSearchCandidateGenerator(space, gridPoints, GridSearchCandidateGenerator.Mode.Sequential, null);
            case GENETIC: {
                SplittableRandom seeds = new SplittableRandom(seed);
                GeneticSelectionOperator selection = new GeneticSelectionOperator.Builder()
                        .randomGenerator(rng(seeds))
                        .crossoverOperator(new SinglePointCrossover.Builder().randomGenerator(rng(seeds))
                                .parentSelection(new RandomTwoParentSelection(rng(seeds))).build())
                        .mutationOperator(new RandomMutationOperator.Builder().randomGenerator(rng(seeds)).build())
                        .build();
                return new GeneticSearchCandidateGenerator.Builder(space, score)
                        .populationModel(new PopulationModel.Builder().populationSize(populationSize).build())
                        .selectionOperator(selection)
                        .build();
            }
            default:
                throw new IllegalArgumentException("unknown generator " + type);
        }
    }

    private static RandomGenerator rng(SplittableRandom seeds) {
        JDKRandomGenerator g = new JDKRandomGenerator();
        g.setSeed(seeds.nextLong());
        return g;
    }
}
