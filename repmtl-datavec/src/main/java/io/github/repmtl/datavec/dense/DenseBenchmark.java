package io.github.repmtl.datavec.dense;

import java.util.List;

/**
 * The preprocessed NYUv2 and Cityscapes layouts used by MTAN, LibMTL, Nash-MTL, CAGrad and FAMO:
 * {@code root/{train,val}/{image,label,depth[,normal]}/{i}.npy}, with image {@code H x W x 3},
 * label {@code H x W}, depth {@code H x W x 1} and normal {@code H x W x 3}.
 */
public enum DenseBenchmark {
    /** NYUv2: 795 train / 654 val images of 288x384, 13 classes, depth and normals. */
    NYUV2("NYUv2", 288, 384, 13, List.of(DenseTask.SEGMENTATION, DenseTask.DEPTH, DenseTask.NORMAL),
            List.of("label"), 795, 654),
    /**
     * Cityscapes: 2975 train / 500 val images of 128x256, 7 classes and inverse depth; the label
     * folder is {@code label_7} in the original archive and {@code label} in LibMTL.
     */
    CITYSCAPES("Cityscapes", 128, 256, 7, List.of(DenseTask.SEGMENTATION, DenseTask.DEPTH),
            List.of("label", "label_7"), 2975, 500);

    private final String displayName;
    private final int height;
    private final int width;
    private final int classCount;
    private final List<DenseTask> tasks;
    private final List<String> labelFolders;
    private final int trainCount;
    private final int testCount;

    DenseBenchmark(String displayName, int height, int width, int classCount, List<DenseTask> tasks,
                   List<String> labelFolders, int trainCount, int testCount) {
        this.displayName = displayName;
        this.height = height;
        this.width = width;
        this.classCount = classCount;
        this.tasks = tasks;
        this.labelFolders = labelFolders;
        this.trainCount = trainCount;
        this.testCount = testCount;
    }

    public String displayName() {
        return displayName;
    }

    /** Image height of the preprocessed data. */
    public int height() {
        return height;
    }

    /** Image width of the preprocessed data. */
    public int width() {
        return width;
    }

    /** Number of segmentation classes (labels 0..classCount-1, -1 = ignore). */
    public int classCount() {
        return classCount;
    }

    /** The tasks, in the order of the label arrays of every batch. */
    public List<DenseTask> tasks() {
        return tasks;
    }

    /** Accepted names of the segmentation folder, in order of preference. */
    public List<String> labelFolders() {
        return labelFolders;
    }

    /** Number of samples in the published {@code train} folder. */
    public int trainCount() {
        return trainCount;
    }

    /** Number of samples in the published {@code val} folder (the test set). */
    public int testCount() {
        return testCount;
    }
}
