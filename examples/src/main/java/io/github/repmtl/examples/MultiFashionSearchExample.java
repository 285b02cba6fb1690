package io.github.repmtl.examples;

import io.github.repmtl.arbiter.RepMtlCandidate;
import io.github.repmtl.arbiter.RepMtlSearch;
import io.github.repmtl.arbiter.RepMtlSpace;
import io.github.repmtl.arbiter.SearchData;
import io.github.repmtl.arbiter.SearchGenerator;
import io.github.repmtl.arbiter.SearchObjective;
import io.github.repmtl.arbiter.SearchResult;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.fashion.MultiFashion;
import io.github.repmtl.datavec.fashion.MultiItemDataset;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.TrainingResult;
import io.github.repmtl.zoo.HpsLeNet;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Example 4: Arbiter search of Rep-MTL's hyperparameters on MultiFashion with HPS LeNet: random search over the
 * paper's lambda grid and two CSA temperatures, each candidate trained for two epochs and scored by its validation
 * loss; then a final training with the best configuration. Usage: {@code MultiFashionSearchExample [OUT]}.
 */
public final class MultiFashionSearchExample {
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "results/multifashion-search");
        MultiItemDataset fashion = MultiFashion.builder().seed(1).trainSize(6000).validationSize(1000).testSize(1000).build();

        // the search: a fresh model per candidate, fresh iterators per candidate, validation split only
        SearchResult result = RepMtlSearch.builder()
                .modelFactory(() -> HpsLeNet.builder().seed(1).init())
                .data(SearchData.fromSplits(split -> fashion.iterator(split, 128, split == Split.TRAIN)))
                .space(RepMtlSpace.builder().lambdaTsr(RepMtlSpace.PAPER_LAMBDAS).lambdaCsa(RepMtlSpace.PAPER_LAMBDAS).tau(0.25, 0.5).build())
                .generator(SearchGenerator.RANDOM).maxCandidates(8).maxTime(Duration.ofHours(1))
                .objective(SearchObjective.VALIDATION_LOSS)             // no single-task baselines needed
                .epochsPerCandidate(2).seed(1).outputDir(out)           // running again resumes from the records in out
                .build().run();
        System.out.print(result.summary(5));

        // train with the best configuration (the file 'repmtl train --config' reads too), and report the test split
        RepMtlCandidate best = RepMtlCandidate.load(result.bestConfigFile());
        MultiTaskModel model = HpsLeNet.builder().seed(1).init();
        TrainingResult trained = MultiTaskTrainer.builder(model)
                .repMtl(best.repMtl(model).build())
                .optimizer(Optimizer.adam(best.learningRate()))
                .epochs(10).seed(1)
                .train(fashion.iterator(Split.TRAIN, 128, true))
                .validation(fashion.iterator(Split.VALIDATION, 256, false))
                .test(fashion.iterator(Split.TEST, 256, false))
                .build().fit();
        System.out.println("best " + best + ": test " + trained.epochs().get(trained.selectedEpochs().get(0)).test());
    }
}
