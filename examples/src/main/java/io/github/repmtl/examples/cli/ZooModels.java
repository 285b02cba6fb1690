package io.github.repmtl.examples.cli;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.zoo.HpsDeepLab;
import io.github.repmtl.zoo.HpsLeNet;
import io.github.repmtl.zoo.HpsResNet;
import io.github.repmtl.zoo.HpsSegNet;
import io.github.repmtl.zoo.ResNetTrunk;

import java.nio.file.Path;
import java.util.List;

/**
 * Builds the zoo model a command line names ({@code lenet}, {@code segnet}, {@code deeplab}, {@code resnet18},
 * {@code resnet50}) for a benchmark's tasks and input shape, optionally with a pretrained ResNet trunk.
 */
final class ZooModels {
    private ZooModels() {}

    /** The pretrained trunk of {@code model} read from {@code file} ({@link PretrainedTrunk}), or null without a file. */
    static ResNetTrunk pretrainedTrunk(String model, Path file) {
        if (file == null) return null;
        return switch (model) {
            case "resnet18" -> PretrainedTrunk.load(file, ResNetTrunk.Depth.RESNET18, 32);
            case "resnet50" -> PretrainedTrunk.load(file, ResNetTrunk.Depth.RESNET50, 32);
            case "deeplab" -> PretrainedTrunk.load(file, ResNetTrunk.Depth.RESNET50, 8);
            default -> throw new IllegalArgumentException("--pretrained applies to the ResNet trunks (resnet18, resnet50, deeplab), not to " + model);
        };
    }

    /**
     * @param model one of {@link Benchmark#models()} of the data's benchmark
     * @param trunk a pretrained trunk from {@link #pretrainedTrunk}, or null for a fresh initialisation
     */
    static MultiTaskModel create(String model, BenchmarkData data, long seed, ResNetTrunk trunk) {
        return create(model, data, data.tasks(), seed, trunk);
    }

    /** As {@link #create(String, BenchmarkData, long, ResNetTrunk)} with only some of the data's tasks (single-task baselines). */
    static MultiTaskModel create(String model, BenchmarkData data, List<TaskSpec> tasks, long seed, ResNetTrunk trunk) {
        return switch (model) {
            case "lenet" -> HpsLeNet.builder().seed(seed).tasks(tasks).init();
            case "segnet" -> HpsSegNet.builder().seed(seed).inputShape(data.channels(), data.height(), data.width()).tasks(tasks).init();
            case "deeplab" -> {
                HpsDeepLab.Builder b = HpsDeepLab.builder().seed(seed).inputShape(data.channels(), data.height(), data.width()).tasks(tasks);
                if (trunk != null) b.trunk(trunk);
                yield b.init();
            }
            case "resnet18", "resnet50" -> {
                HpsResNet.Builder b = HpsResNet.builder().seed(seed).depth(model.equals("resnet18") ? ResNetTrunk.Depth.RESNET18 : ResNetTrunk.Depth.RESNET50)
                        .multiInput(data.benchmark().multiInput()).inputShape(data.channels(), data.height(), data.width()).tasks(tasks);
                if (trunk != null) b.trunk(trunk);
                yield b.init();
            }
            default -> throw new IllegalArgumentException("unknown model '" + model + "'; valid: lenet, segnet, deeplab, resnet18, resnet50");
        };
    }
}
