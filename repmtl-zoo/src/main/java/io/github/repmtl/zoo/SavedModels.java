package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.LayerContext;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Saving and reloading zoo models: the graph is stored with SameDiff's FlatBuffers format
 * ({@code sd.save(file, true)}); {@link #load} reads it back and rebuilds the {@link MultiTaskModel} from the
 * zoo's naming conventions ({@link ModelNames}, {@code LAYER/running_mean} with {@code LAYER/batch_mean}, ...),
 * given the tasks.
 */
public final class SavedModels {
    private static final String[] STATISTICS = {"mean", "var"};

    private SavedModels() {}

    /** Writes the model's graph, with its current parameters and running statistics, to {@code file}. */
    public static void save(MultiTaskModel model, Path file) throws IOException {
        model.sameDiff().save(file.toFile(), true);
    }

    /** Reads a graph written by {@link #save} and binds it to {@code tasks}. */
    public static MultiTaskModel load(Path file, List<TaskSpec> tasks) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("model file not found: " + file);
        SameDiff sd = SameDiff.load(new File(file.toString()), true);
        return bind(sd, tasks, 0.1);
    }

    /**
     * Binds a zoo graph to its tasks: inputs, shared representations, outputs, labels, losses, the training flag
     * and one statistic update (with {@code momentum}) per batch statistic found.
     */
    public static MultiTaskModel bind(SameDiff sd, List<TaskSpec> tasks, double momentum) {
        if (tasks.isEmpty()) throw new IllegalArgumentException("no tasks given");
        boolean multiInput = sd.hasVariable(ModelNames.input(tasks.get(0).name()));
        MultiTaskModel.Builder model = MultiTaskModel.builder(sd);
        for (TaskSpec t : tasks) {
            String n = t.name();
            model.task(t, multiInput ? ModelNames.input(n) : ModelNames.INPUT, multiInput ? ModelNames.shared(n) : ModelNames.SHARED,
                    ModelNames.output(n), ModelNames.label(n), ModelNames.loss(n));
        }
        if (sd.hasVariable(LayerContext.TRAINING_FLAG)) model.trainingFlag(LayerContext.TRAINING_FLAG);
        List<String> suffixes = new ArrayList<>();
        if (multiInput) for (TaskSpec t : tasks) suffixes.add("/" + t.name());
        else suffixes.add("");
        for (String suffix : suffixes)
            for (SDVariable v : sd.variables()) {
                if (v.getVariableType() != VariableType.CONSTANT) continue;
                for (String stat : STATISTICS) {
                    String tail = "/running_" + stat;
                    if (!v.name().endsWith(tail)) continue;
                    String batch = v.name().substring(0, v.name().length() - tail.length()) + "/batch_" + stat + suffix;
                    if (sd.hasVariable(batch)) model.statisticUpdate(new StatisticUpdate(v.name(), batch, momentum));
                }
            }
        return model.build();
    }
}
