package io.github.repmtl.samediff.model;

import io.github.repmtl.samediff.loss.TaskLosses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Turns a head's raw prediction into the named output, label placeholder and loss of its task, following the
 * data conventions: class labels INT64 {@code [B]}, segmentation labels INT64 {@code [B, H, W]} (-1 ignored),
 * depth {@code [B, 1, H, W]} with masked L1, normals {@code [B, 3, H, W]} with the masked cosine loss and an
 * L2-normalised output. Names: {@code TASK/output}, {@code TASK/label}, {@code TASK/loss}. Used by the zoo and by
 * imported graphs alike.
 */
public final class TaskHeads {
    private TaskHeads() {}

    /** The prediction of {@code task}: logits, depth, or unit normals. */
    public static String output(String task) { return task + "/output"; }

    public static String label(String task) { return task + "/label"; }

    public static String loss(String task) { return task + "/loss"; }

    /**
     * @param prediction {@code [B, K]} for classification, {@code [B, K, H, W]} for dense tasks
     * @param height     label height of dense tasks (ignored for classification)
     * @param width      label width of dense tasks (ignored for classification)
     */
    public static void attach(SameDiff sd, TaskSpec task, SDVariable prediction, long height, long width) {
        String name = task.name();
        DataType dt = prediction.dataType();
        switch (task.kind()) {
            case CLASSIFICATION -> {
                SDVariable label = sd.placeHolder(label(name), DataType.INT64, -1);
                sd.identity(output(name), prediction);
                TaskLosses.softmaxCrossEntropy(sd, loss(name), prediction, label, task.outputs());
            }
            case SEGMENTATION -> {
                SDVariable label = sd.placeHolder(label(name), DataType.INT64, -1, height, width);
                sd.identity(output(name), prediction);
                TaskLosses.softmaxCrossEntropy(sd, loss(name), prediction, label, task.outputs());
            }
            case DEPTH -> {
                SDVariable label = sd.placeHolder(label(name), dt, -1, 1, height, width);
                sd.identity(output(name), prediction);
                TaskLosses.maskedL1(sd, loss(name), prediction, label);
            }
            case NORMAL -> {
                SDVariable label = sd.placeHolder(label(name), dt, -1, 3, height, width);
                sd.identity(output(name), TaskLosses.l2NormalizeChannels(sd, prediction));
                TaskLosses.maskedCosine(sd, loss(name), prediction, label);
            }
        }
    }
}
