package io.github.repmtl.examples;

import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.fashion.MultiFashion;
import io.github.repmtl.datavec.fashion.MultiItemDataset;
import io.github.repmtl.onnx.ForwardCheck;
import io.github.repmtl.onnx.ImportedModel;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.TrainingLogs;
import io.github.repmtl.samediff.train.TrainingResult;

import java.nio.file.Path;

/**
 * Example: a multi-task model exported from PyTorch ({@code examples/src/main/python/export_hps_to_onnx.py}
 * writes {@code hps.onnx} and its sample input/outputs), imported, checked against PyTorch's outputs, trained with
 * Rep-MTL on MultiFashion. Arguments: {@code [hps.onnx] [output folder]}.
 */
public final class OnnxImportExample {
    public static void main(String[] args) {
        Path onnx = Path.of(args.length > 0 ? args[0] : "hps.onnx");
        Path out = Path.of(args.length > 1 ? args[1] : "results/onnx-import");

        // import: Z is the shared representation, logits_a / logits_b the task heads' outputs
        MultiTaskModel model = ImportedModel.fromOnnx(onnx)
                .sharedActivation("Z")
                .task(TaskSpec.classification("left", 10), "logits_a")
                .task(TaskSpec.classification("right", 10), "logits_b")
                .forwardCheck(ForwardCheck.fromNpyFiles(onnx))       // rejects an import that disagrees with PyTorch
                .build();

        MultiItemDataset fashion = MultiFashion.builder().seed(1).trainSize(2000).validationSize(500).testSize(500).build();
        TrainingResult r = MultiTaskTrainer.builder(model)
                .repMtl(RepMtl.builder(model).lambdaTsr(0.05).lambdaCsa(0.05).build())
                .optimizer(Optimizer.adam(1e-3))
                .epochs(3).seed(1)
                .train(fashion.iterator(Split.TRAIN, 64, true))
                .validation(fashion.iterator(Split.VALIDATION, 256, false))
                .test(fashion.iterator(Split.TEST, 256, false))
                .listener(new TrainingLogs(out.resolve("logs")))
                .build().fit();
        System.out.println("selected epochs " + r.selectedEpochs() + ", validation Delta-p " + r.selectedDeltaP() + " %; logs in " + out.toAbsolutePath());
    }
}
