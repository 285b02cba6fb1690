package io.github.repmtl.examples.analysis;

import io.github.repmtl.samediff.saliency.GraphPaths;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskBinding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Splits the weights of a hard-parameter-sharing model into the shared backbone and the task heads, from the
 * graph alone: a variable upstream of a shared activation belongs to the {@value #BACKBONE}; any other variable
 * belongs to the head of the task(s) whose loss it reaches ({@code head:<task>}, or {@code head:<a>+<b>} for a
 * layer several task losses read after the shared activation).
 */
public final class WeightGroups {
    /** Group of every weight the shared activation depends on. */
    public static final String BACKBONE = "backbone";

    private WeightGroups() {}

    /** The group name of a task's head. */
    public static String head(String task) { return "head:" + task; }

    /**
     * The weight matrices and convolution kernels of the model (trainable floating-point variables of rank 2 or
     * 4; biases, normalisation parameters and running statistics are left out): the backbone's first, then each
     * head's in task order, by name within a group (a loaded graph does not keep the order of construction).
     */
    public static Map<String, INDArray> weights(MultiTaskModel model) {
        Set<String> statistics = new HashSet<>();
        for (StatisticUpdate u : model.statisticUpdates()) statistics.add(u.variable());
        Map<String, INDArray> found = new TreeMap<>();
        for (SDVariable v : model.sameDiff().variables()) {
            if (v.getVariableType() != VariableType.VARIABLE || !v.dataType().isFPType() || statistics.contains(v.name())) continue;
            INDArray arr = v.getArr();
            if (arr != null && (arr.rank() == 2 || arr.rank() == 4)) found.put(v.name(), arr);
        }
        if (found.isEmpty()) throw new IllegalArgumentException("the model has no weight matrix or convolution kernel (rank-2 or rank-4 variable)");
        Map<String, String> groups = of(model, found.keySet());
        List<String> order = new ArrayList<>();
        order.add(BACKBONE);
        for (String task : model.taskNames()) order.add(head(task));
        Map<String, INDArray> out = new LinkedHashMap<>();
        found.keySet().stream()
                .sorted(Comparator.comparingInt((String name) -> order.contains(groups.get(name)) ? order.indexOf(groups.get(name)) : order.size()))
                .forEach(name -> out.put(name, found.get(name)));
        return out;
    }

    /** The group of each named variable; a variable that reaches no task loss raises an exception naming it. */
    public static Map<String, String> of(MultiTaskModel model, Iterable<String> variables) {
        SameDiff sd = model.sameDiff();
        Set<String> backbone = GraphPaths.upstream(sd, model.sharedActivations());
        Map<String, Set<String>> perTask = new LinkedHashMap<>();
        for (TaskBinding t : model.tasks()) perTask.put(t.name(), GraphPaths.upstream(sd, List.of(t.loss())));
        Map<String, String> groups = new LinkedHashMap<>();
        for (String v : variables) {
            if (backbone.contains(v)) {
                groups.put(v, BACKBONE);
                continue;
            }
            List<String> tasks = new ArrayList<>();
            perTask.forEach((task, up) -> { if (up.contains(v)) tasks.add(task); });
            if (tasks.isEmpty()) throw new IllegalArgumentException("variable '" + v + "' reaches no task loss of " + model.taskNames());
            groups.put(v, head(String.join("+", tasks)));
        }
        return groups;
    }

}
