package io.github.repmtl.zoo.bench;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.util.QuietConsole;
import io.github.repmtl.zoo.HpsDeepLab;
import io.github.repmtl.zoo.HpsResNet;
import io.github.repmtl.zoo.HpsSegNet;
import io.github.repmtl.zoo.ParameterCount;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmarks of the zoo models (not a unit test; run by {@code bench/zoo-benchmark.sh}). One model per JVM so
 * that the peak resident memory is the model's:
 * <ul>
 *   <li>{@code resnet18}: HPS ResNet-18, 3x64x64, batch 32, 3 tasks x 31 classes, equal weighting, Adam,
 *   float32: median training-step time (forward, backward, Adam and running statistics);</li>
 *   <li>{@code deeplab}, {@code segnet}: NYUv2 models at 288x384, batch 2: median forward+backward time;</li>
 * </ul>
 * each followed by the inference throughput (training flag 0) and the peak memory. Steps run either through
 * {@code SameDiff.calculateGradientsAndOutputs} ({@code api}, what a trainer calls; it disables SameDiff's
 * array cache) or through the gradient function with the array cache on ({@code cached}).
 * <p>Usage: {@code ZooBenchmark resnet18|deeplab|segnet [api|cached] [steps]} (after 10 warm-up steps for
 * {@code resnet18}, 2 for the others); {@code -Dbench.profile=true}
 * adds the time per op type.
 */
public final class ZooBenchmark {
    private static final Logger log = LoggerFactory.getLogger(ZooBenchmark.class);

    private ZooBenchmark() {}

    public static void main(String[] args) throws IOException {
        String which = args.length > 0 ? args[0] : "resnet18";
        boolean cached = args.length > 1 && args[1].equals("cached");
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        MultiTaskModel model;
        int batch;
        boolean train;
        switch (which) {
            case "resnet18" -> {
                model = HpsResNet.builder().inputShape(3, 64, 64).tasks(List.of(TaskSpec.classification("t1", 31),
                        TaskSpec.classification("t2", 31), TaskSpec.classification("t3", 31))).init();
                batch = 32;
                train = true;
            }
            case "deeplab" -> {
                model = HpsDeepLab.builder().init();
                batch = 2;
                train = false;
            }
            case "segnet" -> {
                model = HpsSegNet.builder().init();
                batch = 2;
                train = false;
            }
            default -> throw new IllegalArgumentException("unknown benchmark '" + which + "'; use resnet18, deeplab or segnet");
        }
        log.info("{}: {} parameters, batch {}, {} path, {} steps", which, ParameterCount.of(model), batch, cached ? "cached" : "api", steps);
        Map<String, INDArray> feed = randomFeed(model, batch, 42);
        Stepper stepper = new Stepper(model, train, cached);
        // the JIT compilers compete with the native threads for the 2 cores through the first ~10 ResNet-18 steps
        // (steps 2-4x slower); the big NYUv2 models run few steps and reach that point later
        int warmup = train ? 10 : 2;
        for (int i = 0; i < warmup; i++) stepper.step(feed);
        double[] times = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            stepper.step(feed);
            times[i] = (System.nanoTime() - t0) / 1e6;
        }
        log.info("{}: {} median {} ms (min {} ms) over {} steps: {}", which, train ? "training step" : "forward+backward",
                fmt(median(times)), fmt(Arrays.stream(times).min().orElse(0)), steps, Arrays.toString(Arrays.stream(times).map(t -> Math.round(t)).toArray()));

        if (Boolean.getBoolean("bench.profile")) {
            OpProfile profile = new OpProfile();
            model.sameDiff().setListeners(profile);
            if (model.sameDiff().getFunction("grad") != null) model.sameDiff().getFunction("grad").setListeners(profile);
            for (int i = 0; i < 3; i++) stepper.step(feed);
            log.info("{}: op profile\n{}", which, profile.summary(3, 30));
            model.sameDiff().setListeners();
            model.sameDiff().getFunction("grad").setListeners();
        }
        Map<String, INDArray> inference = new HashMap<>(feed);
        inference.put(model.trainingFlag(), Nd4j.scalar(DataType.FLOAT, 0.0));
        String[] outputs = model.tasks().stream().map(TaskBinding::output).toArray(String[]::new);
        for (int i = 0; i < 2; i++) model.sameDiff().output(inference, outputs);
        double[] inf = new double[Math.max(3, steps / 2)];
        for (int i = 0; i < inf.length; i++) {
            long t0 = System.nanoTime();
            model.sameDiff().output(inference, outputs);
            inf[i] = (System.nanoTime() - t0) / 1e6;
        }
        log.info("{}: inference {} images/s (median {} ms per batch of {})", which, fmt(batch * 1000.0 / median(inf)), fmt(median(inf)), batch);
        log.info("{}: peak resident memory {} MB (JVM heap max {} MB, off-heap now {} MB)", which, peakRssMb(),
                Runtime.getRuntime().maxMemory() >> 20, Pointer.physicalBytes() >> 20);
    }

    /** One training step (or forward+backward) on a fixed batch. */
    private static final class Stepper {
        private final MultiTaskModel model;
        private final SameDiff sd;
        private final boolean train, cached;
        private final List<String> params = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>();
        private final Map<String, GradientUpdater> updaters = new LinkedHashMap<>();
        private final String objective;
        private int iteration;

        Stepper(MultiTaskModel model, boolean train, boolean cached) {
            this.model = model;
            this.sd = model.sameDiff();
            this.train = train;
            this.cached = cached;
            SDVariable sum = null;
            for (TaskBinding t : model.tasks()) sum = sum == null ? sd.getVariable(t.loss()) : sum.add(sd.getVariable(t.loss()));
            objective = sd.identity("bench/objective", sum).name();
            sd.setLossVariables(objective);
            for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) params.add(v.name());
            outputs.add(objective);
            for (StatisticUpdate u : model.statisticUpdates()) outputs.add(u.batchValue());
            Adam adam = new Adam(1e-4);
            if (train) for (String p : params) {
                long n = sd.getVariable(p).getArr().length();
                updaters.put(p, adam.instantiate(Nd4j.zeros(DataType.FLOAT, 1, adam.stateSize(n)), true));
            }
            QuietConsole.run(sd::createGradFunction);
        }

        void step(Map<String, INDArray> feed) {
            Map<String, INDArray> grads, out;
            if (cached) {
                SameDiff gradFn = sd.getFunction("grad");
                gradFn.setEnableCache(true);
                List<String> names = new ArrayList<>(outputs);
                for (String p : params) names.add(sd.getVariable(p).getGradient().name());
                out = gradFn.output(feed, names.toArray(new String[0]));
                grads = new HashMap<>();
                for (String p : params) grads.put(p, out.get(sd.getVariable(p).getGradient().name()));
            } else {
                var r = sd.calculateGradientsAndOutputs(feed, outputs, params);
                grads = r.getGradients();
                out = r.getOutputs();
            }
            if (!Double.isFinite(out.get(objective).getDouble(0))) throw new IllegalStateException("objective is " + out.get(objective));
            if (!train) return;
            for (String p : params) {
                INDArray g = grads.get(p);
                updaters.get(p).applyUpdater(g, iteration, 0);
                sd.getVariable(p).getArr().subi(g);
            }
            for (StatisticUpdate u : model.statisticUpdates()) {
                INDArray running = sd.getVariable(u.variable()).getArr();
                running.muli(1 - u.momentum()).addi(out.get(u.batchValue()).reshape(running.shape()).mul(u.momentum()));
            }
            iteration++;
        }
    }

    private static Map<String, INDArray> randomFeed(MultiTaskModel model, int batch, long seed) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        SameDiff sd = model.sameDiff();
        Map<String, INDArray> feed = new HashMap<>();
        for (String in : model.inputs()) feed.put(in, Nd4j.rand(rng, withBatch(sd.getVariable(in), batch)).castTo(DataType.FLOAT));
        for (TaskBinding t : model.tasks()) {
            long[] shape = withBatch(sd.getVariable(t.label()), batch);
            INDArray u = Nd4j.rand(rng, shape);
            feed.put(t.label(), switch (t.spec().kind()) {
                case CLASSIFICATION, SEGMENTATION -> Transforms.floor(u.muli(t.spec().outputs()), false).castTo(DataType.INT64);
                case DEPTH -> u.addi(0.5).castTo(DataType.FLOAT);
                case NORMAL -> {
                    INDArray n = u.subi(0.5);
                    yield n.divi(n.norm2(true, 1).broadcast(n.shape())).castTo(DataType.FLOAT);
                }
            });
        }
        feed.put(model.trainingFlag(), Nd4j.scalar(DataType.FLOAT, 1.0));
        return feed;
    }

    private static long[] withBatch(SDVariable v, int batch) {
        long[] s = v.getShape().clone();
        s[0] = batch;
        return s;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double v) { return String.format("%.1f", v); }

    private static long peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        return -1;
    }
}
