package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import io.github.repmtl.samediff.saliency.GraphPaths;
import io.github.repmtl.samediff.saliency.HeadRewiring;
import io.github.repmtl.samediff.saliency.TaskReplicas;
import io.github.repmtl.samediff.strategy.GradientMode;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prepares a graph so that one execution yields every task's gradient for a gradient-manipulation strategy, and
 * reads those gradients back.
 * <ul>
 *   <li>{@link GradientMode#PARAMETERS}: {@link TaskReplicas} of every trainable parameter along each task's loss
 *   path; the gradient of task t's copy of {@code P} is {@code dl_t/dP}. Without Rep-MTL the first task keeps the
 *   original encoder (the others run replicas of it, sharing dropout masks); with Rep-MTL every task gets a
 *   replica and the original graph carries only the regularizer: its task weights are fixed at 0 and the trained
 *   objective is {@code sum_t w_t l_t(replica t) + lambda_tsr L_tsr + lambda_csa L_csa}, so that the regularizer's
 *   gradient is the original parameter's gradient minus the sum of its copies' gradients.</li>
 *   <li>{@link GradientMode#REPRESENTATION}: without Rep-MTL each head reads its own identity copy
 *   {@code Z^t = identity(Z)}, whose gradient is {@code dl_t/dZ} (only the heads are back-propagated); with
 *   Rep-MTL the saliencies {@code S_t = dl_t/dZ} are already graph outputs, so a forward execution suffices.</li>
 * </ul>
 */
final class TaskGradientGraph {
    static final String REPLICA_PREFIX = "mtl/replica/";
    static final String REPRESENTATION_PREFIX = "mtl/representation/";

    private final SameDiff sd;
    private final GradientMode mode;
    private final List<String> params;
    private final TaskReplicas replicas;
    private final List<String> rowVariables;
    private final boolean rowsAreGradients;
    private final boolean regularized;
    private final String objective, weights;

    private TaskGradientGraph(SameDiff sd, GradientMode mode, List<String> params, TaskReplicas replicas, List<String> rowVariables,
                              boolean rowsAreGradients, boolean regularized, String objective, String weights) {
        this.sd = sd;
        this.mode = mode;
        this.params = params;
        this.replicas = replicas;
        this.rowVariables = rowVariables;
        this.rowsAreGradients = rowsAreGradients;
        this.regularized = regularized;
        this.objective = objective;
        this.weights = weights;
    }

    /**
     * Rewires {@code sd} for {@code mode} ({@code PARAMETERS} or {@code REPRESENTATION}). {@code objective} and
     * {@code weights} are the model's current objective and task-weight constant; {@code rep} the Rep-MTL graph or
     * {@code null}.
     */
    static TaskGradientGraph build(MultiTaskModel model, GradientMode mode, List<String> params, RepMtlGraph rep,
                                   String objective, String weights) {
        SameDiff sd = model.sameDiff();
        if (mode == GradientMode.PARAMETERS) {
            if (rep == null) {
                List<String> roots = model.tasks().stream().map(TaskBinding::loss).toList();
                TaskReplicas replicas = TaskReplicas.build(sd, roots, params, REPLICA_PREFIX, false);
                return new TaskGradientGraph(sd, mode, params, replicas, List.of(), true, false, objective, weights);
            }
            List<String> roots = model.taskNames().stream().map(RepMtlGraph::term).toList();
            TaskReplicas replicas = TaskReplicas.build(sd, roots, params, REPLICA_PREFIX, true);
            rep.setTaskWeights(new double[model.numTasks()]);
            DataType dt = sd.getVariable(RepMtlGraph.OBJECTIVE).dataType();
            SDVariable w = sd.constant(TrainingGraph.WEIGHTS, Nd4j.ones(dt, model.numTasks()));
            SDVariable sum = sd.getVariable(RepMtlGraph.OBJECTIVE);
            for (int t = 0; t < model.numTasks(); t++)
                sum = sum.add(sd.getVariable(replicas.replicaOf(t, roots.get(t))).mul(w.get(SDIndex.point(t))));
            sd.identity(TrainingGraph.OBJECTIVE, sum);
            return new TaskGradientGraph(sd, mode, params, replicas, List.of(), true, true, TrainingGraph.OBJECTIVE, TrainingGraph.WEIGHTS);
        }
        if (mode != GradientMode.REPRESENTATION) throw new IllegalArgumentException("no per-task gradients in mode " + mode);
        if (rep != null) {
            List<String> rows = model.taskNames().stream().map(RepMtlGraph::saliency).toList();
            return new TaskGradientGraph(sd, mode, params, null, rows, false, true, objective, weights);
        }
        String z = model.sharedActivations().get(0);
        List<String> copies = new ArrayList<>();
        for (TaskBinding t : model.tasks()) {
            SDVariable copy = sd.identity(REPRESENTATION_PREFIX + t.name(), sd.getVariable(z));
            HeadRewiring.redirect(sd, z, copy.name(), HeadRewiring.consumersWithin(sd, z, GraphPaths.between(sd, z, t.loss())));
            copies.add(copy.name());
        }
        return new TaskGradientGraph(sd, mode, params, null, copies, true, false, objective, weights);
    }

    /** The objective the trainer optimises (before any representation injection term). */
    String objective() { return objective; }

    /** The task-weight constant of that objective. */
    String weights() { return weights; }

    /** Whether the per-task pass must be a gradient execution (else a forward one). */
    boolean needsGradientPass() { return rowsAreGradients; }

    /** Variables whose gradients (or, for Rep-MTL saliencies, values) the per-task pass requests. */
    List<String> requests() {
        if (mode == GradientMode.REPRESENTATION) return rowVariables;
        List<String> names = new ArrayList<>();
        for (int t = 0; t < replicas.size(); t++) names.addAll(replicas.copies(t).values());
        if (regularized) names.addAll(params);
        return names;
    }

    /** Task t's representation gradient {@code dl_t/dZ} from the per-task pass's gradients or outputs. */
    INDArray representationRow(int t, Map<String, INDArray> gradients, Map<String, INDArray> outputs) {
        String v = rowVariables.get(t);
        return rowsAreGradients ? gradients.get(v) : outputs.get(v);
    }

    /** Per task, {@code dl_t/dP} for every parameter (zeros where task t does not read {@code P}). */
    List<Map<String, INDArray>> parameterGradients(Map<String, INDArray> gradients) {
        for (String p : params) {
            boolean read = false;
            for (int t = 0; t < replicas.size() && !read; t++) read = replicas.copy(t, p) != null;
            if (!read) throw new IllegalStateException("parameter '" + p + "' influences no task loss");
        }
        List<Map<String, INDArray>> out = new ArrayList<>();
        for (int t = 0; t < replicas.size(); t++) {
            Map<String, INDArray> g = new HashMap<>();
            for (String p : params) {
                String copy = replicas.copy(t, p);
                INDArray v = copy == null ? null : gradients.get(copy);
                g.put(p, v != null ? v : Nd4j.zerosLike(sd.getArrForVarName(p)));
            }
            out.add(g);
        }
        return out;
    }

    /** The regularizer's gradient per parameter ({@code null} without Rep-MTL). */
    Map<String, INDArray> regularizerGradients(Map<String, INDArray> gradients, List<Map<String, INDArray>> perTask) {
        if (!regularized) return null;
        Map<String, INDArray> reg = new HashMap<>();
        for (String p : params) {
            INDArray g = gradients.get(p).dup();
            for (Map<String, INDArray> task : perTask) g.subi(task.get(p));
            reg.put(p, g);
        }
        return reg;
    }
}
