package io.github.repmtl.samediff.train;

import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward + backward execution returning outputs and parameter gradients, like
 * {@code SameDiff.calculateGradientsAndOutputs}, but with the gradient function's array cache left on: M2.1's
 * method switches the cache off, so every activation is freshly allocated (2-3x the memory, slower steps).
 * Results are copied out, because the cache reuses its arrays on the next execution. The graph's listeners are
 * added to the gradient function's (M2.1's method does the same).
 */
final class GradientPass {
    private final SameDiff sd;

    GradientPass(SameDiff sd) { this.sd = sd; }

    record Result(Map<String, INDArray> outputs, Map<String, INDArray> gradients) {}

    Result run(Map<String, INDArray> feed, List<String> outputs, List<String> wrt) {
        SameDiff gradFn = sd.getFunction("grad");
        if (gradFn == null) throw new IllegalStateException("the gradient function has not been created");
        gradFn.setEnableCache(true);
        for (Listener l : sd.getListeners()) if (!gradFn.getListeners().contains(l)) gradFn.addListeners(l);   // e.g. HostRegularizer
        List<String> names = new ArrayList<>(outputs);
        Map<String, String> gradName = new HashMap<>();
        for (String v : wrt) {
            SDVariable g = sd.getVariable(v).getGradient();
            if (g != null) {
                gradName.put(v, g.name());
                names.add(g.name());
            }
        }
        Map<String, INDArray> all = gradFn.output(feed, names.toArray(new String[0]));
        Map<String, INDArray> out = new HashMap<>();
        for (String o : outputs) out.put(o, all.get(o).dup());
        Map<String, INDArray> grads = new HashMap<>();
        gradName.forEach((v, g) -> grads.put(v, all.get(g).dup()));
        return new Result(out, grads);
    }
}
