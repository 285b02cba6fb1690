package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseScalarOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph surgery on task heads for the finite-difference fallback: redirecting chosen consumers of a
 * variable to another one (to insert per-head perturbations), and switching the kinks of ReLU, |x| and
 * non-overlapping max pooling to masks (signs, selections) frozen from an unperturbed pass.
 */
public final class HeadRewiring {
    private HeadRewiring() {}

    /** Makes each op in {@code consumers} read {@code replacement} wherever it read {@code original}. */
    public static void redirect(SameDiff sd, String original, String replacement, Collection<String> consumers) {
        Variable from = sd.getVariables().get(original);
        Variable to = sd.getVariables().get(replacement);
        for (String opName : consumers) {
            SameDiffOp op = sd.getOps().get(opName);
            List<String> inputs = new ArrayList<>(op.getInputsToOp());
            if (!inputs.contains(original)) continue;
            inputs.replaceAll(v -> v.equals(original) ? replacement : v);
            op.setInputsToOp(inputs);
            List<String> fromUses = new ArrayList<>(from.getInputsForOp());
            fromUses.removeIf(opName::equals);
            from.setInputsForOp(fromUses);
            List<String> toUses = to.getInputsForOp() == null ? new ArrayList<>() : new ArrayList<>(to.getInputsForOp());
            if (!toUses.contains(opName)) toUses.add(opName);
            to.setInputsForOp(toUses);
        }
    }

    /** Ops that read {@code variable} and whose outputs lie inside {@code region}. */
    public static List<String> consumersWithin(SameDiff sd, String variable, Collection<String> region) {
        List<String> out = new ArrayList<>();
        List<String> uses = sd.getVariables().get(variable).getInputsForOp();
        if (uses == null) return out;
        for (String opName : List.copyOf(uses)) {
            if (GraphPaths.outputsOf(sd.getOps().get(opName)).stream().anyMatch(region::contains)) out.add(opName);
        }
        return out;
    }

    /**
     * Replaces every ReLU {@code y = relu(x)} and non-overlapping max pool in the regions by
     * {@code flag ? frozen(x, M) : original}, with {@code M} a placeholder fed from an unperturbed pass.
     */
    public static Frozen freezeMasks(SameDiff sd, List<Set<String>> regions, SDVariable flag) {
        List<Frozen.Switch> switches = new ArrayList<>();
        List<SameDiffOp> ops = new ArrayList<>(sd.getOps().values());
        for (SameDiffOp op : ops) {
            String kind = op.getOp().opName();
            if (!kind.equals("relu") && !kind.equals("maxpool2d") && !kind.equals("abs")) continue;
            String x = op.getInputsToOp().get(0), y = op.getOutputsOfOp().get(0);
            Set<String> region = regions.stream().filter(r -> r.contains(y)).findFirst().orElse(null);
            if (region == null || !region.contains(x)) continue;
            SDVariable xv = sd.getVariable(x), yv = sd.getVariable(y);
            SDVariable mask = sd.placeHolder("repmtl/fd/mask/" + y, xv.dataType(), (long[]) null);
            SDVariable replaced;
            if (kind.equals("abs")) {
                replaced = flag.mul(xv.mul(mask)).add(flag.rsub(1.0).mul(yv));
                switches.add(new Frozen.Switch(x, mask.name(), Double.NaN, 0, 0));
            } else if (kind.equals("relu")) {
                double cutoff = ((BaseScalarOp) op.getOp()).scalar().getDouble(0);
                SDVariable live = xv.gt(cutoff).castTo(xv.dataType());
                replaced = xv.mul(flag.mul(mask).add(flag.rsub(1.0).mul(live)));
                switches.add(new Frozen.Switch(x, mask.name(), cutoff, 0, 0));
            } else {
                Pooling2DConfig cfg = ((MaxPooling2D) op.getOp()).getConfig();
                boolean frozenOk = cfg.getKH() == cfg.getSH() && cfg.getKW() == cfg.getSW() && cfg.getPH() == 0 && cfg.getPW() == 0
                        && cfg.getDH() == 1 && cfg.getDW() == 1 && !cfg.isNHWC();
                if (!frozenOk) continue;                               // overlapping pooling is left unfrozen
                SDVariable pooled = sd.cnn.avgPooling2d(xv.mul(mask), cfg).mul((double) (cfg.getKH() * cfg.getKW()));
                replaced = flag.mul(pooled).add(flag.rsub(1.0).mul(yv));
                switches.add(new Frozen.Switch(x, mask.name(), 0, cfg.getKH(), cfg.getKW()));
            }
            String newName = replaced.name();
            List<String> consumers = consumersWithin(sd, y, region);
            consumers.removeIf(c -> GraphPaths.outputsOf(sd.getOps().get(c)).contains(newName) || isPartOf(sd, c, newName, y));
            redirect(sd, y, newName, consumers);
            region.add(newName);
        }
        return new Frozen(switches);
    }

    /** True when op {@code c} is one of the ops that build {@code built} from {@code source} (must keep reading it). */
    private static boolean isPartOf(SameDiff sd, String c, String built, String source) {
        try {
            return GraphPaths.between(sd, source, built).containsAll(GraphPaths.outputsOf(sd.getOps().get(c)));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The mask placeholders of frozen ReLU / max-pool ops and how to fill them from an unperturbed pass. */
    public static final class Frozen {
        /** A frozen op: ReLU ({@code cutoff}), |x| ({@code cutoff} NaN) or max pooling ({@code kH, kW > 0}). */
        record Switch(String source, String placeholder, double cutoff, long kH, long kW) {}

        private final List<Switch> switches;

        Frozen(List<Switch> switches) { this.switches = List.copyOf(switches); }

        /** Variables whose values (from the unperturbed pass) define the masks. */
        public List<String> sources() { return switches.stream().map(Switch::source).toList(); }

        public int size() { return switches.size(); }

        /** Feeds every mask: from {@code unperturbed} outputs, or a broadcastable zero when {@code null}. */
        public void feedPlaceholders(Map<String, INDArray> feed, Map<String, INDArray> unperturbed, DataType dt) {
            for (Switch s : switches) {
                if (unperturbed == null) {
                    feed.put(s.placeholder(), Nd4j.zeros(dt, 1));
                    continue;
                }
                INDArray x = unperturbed.get(s.source());
                INDArray mask;
                if (s.kH() > 0) mask = argmaxMask(x, s.kH(), s.kW());
                else if (Double.isNaN(s.cutoff())) mask = org.nd4j.linalg.ops.transforms.Transforms.sign(x, true);   // abs: frozen sign
                else mask = x.gt(s.cutoff());
                feed.put(s.placeholder(), mask.castTo(dt));
            }
        }

        /** One-hot (tie-shared) position of each window's maximum; rows/columns the pooling never reads are 0. */
        static INDArray argmaxMask(INDArray x, long kH, long kW) {
            long b = x.size(0), c = x.size(1), h = x.size(2) / kH, w = x.size(3) / kW;
            INDArray used = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, h * kH), NDArrayIndex.interval(0, w * kW)).dup();
            INDArray x6 = used.reshape(b, c, h, kH, w, kW);
            INDArray max = x6.max(true, 3, 5);
            INDArray hit = x6.eq(max.broadcast(x6.shape())).castTo(x.dataType());
            INDArray share = hit.div(hit.sum(true, 3, 5).broadcast(x6.shape()));
            INDArray mask = Nd4j.zeros(x.dataType(), x.shape());
            mask.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, h * kH), NDArrayIndex.interval(0, w * kW)).assign(share.reshape(b, c, h * kH, w * kW));
            return mask;
        }
    }
}
