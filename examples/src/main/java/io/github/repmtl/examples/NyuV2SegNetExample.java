package io.github.repmtl.examples;

import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.dense.DenseDataset;
import io.github.repmtl.datavec.dense.NyuV2;
import io.github.repmtl.examples.plots.SaliencyPlots;
import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.EpochSummary;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.ProgressBarListener;
import io.github.repmtl.samediff.train.TrainingLogs;
import io.github.repmtl.samediff.train.TrainingResult;
import io.github.repmtl.zoo.HpsSegNet;

import java.nio.file.Path;

/**
 * Example 2: NYUv2 (segmentation, depth, surface normals) with a hard-parameter-sharing SegNet and Rep-MTL, from
 * the preprocessed {@code .npy} folder of MTAN / LibMTL ({@code ROOT/train|val/image|label|depth|normal/i.npy}).
 * Usage: {@code NyuV2SegNetExample ROOT [EPOCHS] [OUT]}. Writes logs, the model and saliency plots into OUT.
 */
public final class NyuV2SegNetExample {
    public static void main(String[] args) {
        if (args.length < 1) throw new IllegalArgumentException("usage: NyuV2SegNetExample NYUV2_ROOT [EPOCHS] [OUT]");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path out = Path.of(args.length > 2 ? args[2] : "results/nyuv2-segnet");

        // the data: 795 training images, 159 of them held out for model selection; augmented as in MTAN
        DenseDataset nyu = NyuV2.builder().root(Path.of(args[0])).validationSize(159).augment(true).seed(1).build();

        // the model: SegNet encoder-decoder as the shared backbone (Z = 64 x 288 x 384), one conv head per task
        MultiTaskModel model = HpsSegNet.builder().seed(1).init();

        // Rep-MTL with the paper's defaults on top of equal weighting; Adam as in the paper (halved every 100 epochs)
        MultiTaskTrainer trainer = MultiTaskTrainer.builder(model)
                .repMtl(RepMtl.builder(model).lambdaTsr(0.9).lambdaCsa(0.9).build())
                .optimizer(Optimizer.adam(1e-4).withWeightDecay(1e-5).withStepSchedule(100, 0.5))
                .epochs(epochs).seed(1)
                .train(nyu.iterator(Split.TRAIN, 8, true))
                .validation(nyu.iterator(Split.VALIDATION, 8, false))
                .test(nyu.iterator(Split.TEST, 8, false))
                .baselines(Baselines.bundled(Baselines.NYUV2))            // Delta-p against the paper's single-task results
                .listener(new TrainingLogs(out.resolve("logs")))
                .listener(new ProgressBarListener("nyuv2"))
                .checkpoints(out.resolve("checkpoints"), 2).resume(true)
                .build();
        TrainingResult result = trainer.fit();

        EpochSummary best = result.epochs().get(result.selectedEpochs().get(0));
        System.out.printf("epoch %d: test Delta-p %+.2f %%, test metrics %s%n", best.epoch(), best.testDeltaP().taskAveraged(), best.test());

        // keep the model, and look at where each task draws on the shared representation
        MultiTaskModelFiles.save(model, out.resolve("model"));
        SaliencyPlots.write(model, nyu.iterator(Split.VALIDATION, 4, false).next(), 4, out.resolve("saliency"));
    }
}
