package io.github.repmtl.zoo;

/**
 * The variable names every zoo model uses, so that code written for one model works for all:
 * {@code input} (or {@code input/TASK} in multi-input mode), the shared representation {@code Z} (or
 * {@code Z/TASK}), and per task {@code TASK/output}, {@code TASK/label}, {@code TASK/loss}. The training flag is
 * {@link io.github.repmtl.samediff.nn.LayerContext#TRAINING_FLAG}.
 */
public final class ModelNames {
    /** The input placeholder of a single-input model, {@code [B, C, H, W]}. */
    public static final String INPUT = "input";
    /** The shared representation of a single-input model. */
    public static final String SHARED = "Z";
    /** The output of the shared encoder (ResNet, DeepLab and SegNet trunks), below any shared layers and the heads. */
    public static final String TRUNK_OUTPUT = "trunk/output";

    private ModelNames() {}

    /** The input placeholder of {@code task} in multi-input mode. */
    public static String input(String task) { return INPUT + "/" + task; }

    /** The shared representation of {@code task} in multi-input mode. */
    public static String shared(String task) { return SHARED + "/" + task; }

    /** The trunk output for {@code task}'s input in multi-input mode. */
    public static String trunkOutput(String task) { return TRUNK_OUTPUT + "/" + task; }

    /** The prediction of {@code task}: logits, depth, or unit normals. */
    public static String output(String task) { return io.github.repmtl.samediff.model.TaskHeads.output(task); }

    public static String label(String task) { return io.github.repmtl.samediff.model.TaskHeads.label(task); }

    public static String loss(String task) { return io.github.repmtl.samediff.model.TaskHeads.loss(task); }
}
