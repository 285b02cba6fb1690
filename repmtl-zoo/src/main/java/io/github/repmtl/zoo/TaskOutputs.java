package io.github.repmtl.zoo;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.model.TaskKind;
import io.github.repmtl.samediff.model.TaskSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Turns a head's raw prediction into the named output, label placeholder and loss of its task, following the
 * data conventions: class labels INT64 {@code [B]}, segmentation labels INT64 {@code [B, H, W]} (-1 ignored),
 * depth {@code [B, 1, H, W]} with masked L1, normals {@code [B, 3, H, W]} with the masked cosine loss and an
 * L2-normalised output.
 */
final class TaskOutputs {
    private TaskOutputs() {}

    /**
     * @param prediction {@code [B, K]} for classification, {@code [B, K, H, W]} for dense tasks
     * @param height     label height of dense tasks (ignored for classification)
     * @param width      label width of dense tasks (ignored for classification)
     */
    static void attach(SameDiff sd, TaskSpec task, SDVariable prediction, long height, long width) {
        String name = task.name();
        DataType dt = prediction.dataType();
        switch (task.kind()) {
            case CLASSIFICATION -> {
                SDVariable label = sd.placeHolder(ModelNames.label(name), DataType.INT64, -1);
                sd.identity(ModelNames.output(name), prediction);
                TaskLosses.softmaxCrossEntropy(sd, ModelNames.loss(name), prediction, label, task.outputs());
            }
            case SEGMENTATION -> {
                SDVariable label = sd.placeHolder(ModelNames.label(name), DataType.INT64, -1, height, width);
                sd.identity(ModelNames.output(name), prediction);
                TaskLosses.softmaxCrossEntropy(sd, ModelNames.loss(name), prediction, label, task.outputs());
            }
            case DEPTH -> {
                SDVariable label = sd.placeHolder(ModelNames.label(name), dt, -1, 1, height, width);
                sd.identity(ModelNames.output(name), prediction);
                TaskLosses.maskedL1(sd, ModelNames.loss(name), prediction, label);
            }
            case NORMAL -> {
                SDVariable label = sd.placeHolder(ModelNames.label(name), dt, -1, 3, height, width);
                sd.identity(ModelNames.output(name), TaskLosses.l2NormalizeChannels(sd, prediction));
                TaskLosses.maskedCosine(sd, ModelNames.loss(name), prediction, label);
            }
        }
    }

    /** Checks that a task's kind fits a model that predicts per sample ({@code dense = false}) or per pixel. */
    static void requireKind(TaskSpec task, boolean dense, String model) {
        boolean isDense = task.kind() != TaskKind.CLASSIFICATION;
        if (isDense != dense)
            throw new IllegalArgumentException(model + " predicts " + (dense ? "per pixel" : "per sample") + "; task '" + task.name()
                    + "' is " + task.kind());
        if (task.kind() == TaskKind.DEPTH && task.outputs() != 1)
            throw new IllegalArgumentException("depth task '" + task.name() + "' must have 1 output channel, got " + task.outputs());
        if (task.kind() == TaskKind.NORMAL && task.outputs() != 3)
            throw new IllegalArgumentException("normal task '" + task.name() + "' must have 3 output channels, got " + task.outputs());
    }
}
