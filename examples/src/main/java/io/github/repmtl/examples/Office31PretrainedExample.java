package io.github.repmtl.examples;

import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.office.OfficeDataset;
import io.github.repmtl.datavec.office.OfficeVariant;
import io.github.repmtl.examples.weights.NpzWeights;
import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.EpochSummary;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.ProgressBarListener;
import io.github.repmtl.samediff.train.TrainingResult;
import io.github.repmtl.zoo.HpsResNet;
import io.github.repmtl.zoo.ResNetTrunk;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Example 3: Office-31 in multi-input mode (one task and one input per domain: amazon, dslr, webcam) with a
 * HPS ResNet-18 whose trunk starts from ImageNet weights in a local {@code .npz} file (see {@link NpzWeights} for
 * converting torchvision's), and Rep-MTL. Usage: {@code Office31PretrainedExample OFFICE31_ROOT RESNET18_NPZ [EPOCHS]}.
 */
public final class Office31PretrainedExample {
    public static void main(String[] args) {
        if (args.length < 2) throw new IllegalArgumentException("usage: Office31PretrainedExample OFFICE31_ROOT RESNET18_NPZ [EPOCHS]");
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 100;

        // the data: LibMTL's list files in the root, or a seeded 60/20/20 split written there on first use
        OfficeDataset office = OfficeDataset.builder(OfficeVariant.OFFICE_31).root(Path.of(args[0])).seed(1).build();
        List<TaskSpec> tasks = new ArrayList<>();
        for (String domain : office.domains()) tasks.add(TaskSpec.classification(domain.toLowerCase(Locale.ROOT), office.classNames().size()));

        // the model: a pretrained ResNet-18 trunk shared by all domains, each domain with its own input and head
        ResNetTrunk trunk = ResNetTrunk.builder(ResNetTrunk.Depth.RESNET18).weights(NpzWeights.load(Path.of(args[1]))).build();
        MultiTaskModel model = HpsResNet.builder().trunk(trunk).multiInput(true).tasks(tasks).seed(1).init();

        // multi-input training: one iterator per task; an epoch is as long as the largest domain (LibMTL)
        MultiTaskTrainer trainer = MultiTaskTrainer.builder(model)
                .repMtl(RepMtl.builder(model).build())
                .optimizer(Optimizer.adam(1e-4).withWeightDecay(1e-5))
                .epochs(epochs).seed(1)
                .trainPerTask(perDomain(office, Split.TRAIN, true))
                .validationPerTask(perDomain(office, Split.VALIDATION, false))
                .testPerTask(perDomain(office, Split.TEST, false))
                .baselines(Baselines.bundled(Baselines.OFFICE_31))
                .listener(new ProgressBarListener("office-31"))
                .build();
        TrainingResult result = trainer.fit();
        EpochSummary best = result.epochs().get(result.selectedEpochs().get(0));
        System.out.printf("epoch %d: test Delta-p %+.2f %%, test accuracy %s%n", best.epoch(), best.testDeltaP().taskAveraged(), best.test());
    }

    private static List<MultiDataSetIterator> perDomain(OfficeDataset office, Split split, boolean shuffle) {
        List<MultiDataSetIterator> its = new ArrayList<>();
        for (String domain : office.domains()) its.add(office.iterator(domain, split, 64, shuffle));
        return its;
    }
}
