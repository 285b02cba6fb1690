package io.github.repmtl.examples.cli;

import io.github.repmtl.examples.doctor.BackendCompatibility;
import io.github.repmtl.examples.doctor.BackendReport;
import io.github.repmtl.examples.doctor.DeviceDescription;
import io.github.repmtl.examples.doctor.LossReference;
import io.github.repmtl.examples.doctor.TrainingCheck;
import io.github.repmtl.samediff.verify.GoldenVerifier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code repmtl doctor}: a self-check of the ND4J backend for GPU users. Prints the backend, its build flags and,
 * on CUDA, every device with its compute capability, and stops (exit 3) when the bundled M2.1 CUDA binaries
 * cannot run on a device ({@link BackendCompatibility}); then runs the golden fixtures (float64) and a few
 * Rep-MTL training steps of HpsLeNet and HpsResNet-18 (float32, {@link TrainingCheck}) on the active backend,
 * printing step times and whether the values match a CPU reference. Exit 0 when every check passed, 1 when one failed.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check the ND4J backend (CPU or CUDA): device support, golden fixtures, a few training steps against a CPU reference.")
final class DoctorCommand implements Callable<Integer> {
    static final int UNSUPPORTED_DEVICE = 3;

    @Option(names = "--golden", paramLabel = "DIR", defaultValue = "../shared/golden",
            description = "Directory of golden fixtures (*.json), relative to the working directory; skipped when absent (default: ${DEFAULT-VALUE}).")
    Path golden;
    @Option(names = "--models", split = ",", defaultValue = "lenet,resnet18",
            description = "Models to train for a few steps: lenet (HpsLeNet), resnet18 (HpsResNet-18); 'none' skips training (default: ${DEFAULT-VALUE}).")
    List<String> models;
    @Option(names = "--steps", defaultValue = "3", description = "Training steps per model (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--reference", paramLabel = "FILE",
            description = "Reference values (from --write-reference on the CPU backend) to compare with (default: the reference bundled with repmtl, made on CPU).")
    Path reference;
    @Option(names = "--write-reference", paramLabel = "FILE",
            description = "Also write this run's training values to FILE, as a reference for other machines (default: not written).")
    Path writeReference;
    @Option(names = "--tolerance", defaultValue = "1e-3",
            description = "Largest relative difference from the reference that passes (float32 training, different kernels; default: ${DEFAULT-VALUE}).")
    double tolerance;
    @Option(names = "--assume-device", paramLabel = "NAME:MAJOR.MINOR",
            description = "Check this CUDA device instead of the backend's devices, e.g. 'NVIDIA H100:9.0' (to see the verdict for another GPU; default: none).")
    String assumeDevice;

    @Override
    public Integer call() {
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (!(tolerance > 0) || Double.isInfinite(tolerance)) throw new IllegalArgumentException("--tolerance must be finite and > 0, got " + tolerance);
        List<String> toTrain = models.size() == 1 && models.get(0).equals("none") ? List.of() : models;
        for (String m : toTrain)
            if (!TrainingCheck.MODELS.contains(m)) throw new IllegalArgumentException("unknown model '" + m + "'; available: " + String.join(", ", TrainingCheck.MODELS) + ", none");
        DeviceDescription assumed = assumeDevice == null ? null : DeviceDescription.parse(assumeDevice);
        LossReference ref = reference != null ? LossReference.read(reference) : LossReference.bundled();
        PrintStream out = System.out;

        BackendReport backend;
        try {
            backend = BackendReport.ofActiveBackend();
        } catch (RuntimeException | LinkageError e) {
            out.println("doctor: STOP: the ND4J backend failed to initialise: " + e);
            out.println("doctor: on the CUDA backend this is what a GPU of compute capability 9.0 or above (or below 3.7) gives: the M2.1 binaries carry SASS for "
                    + BackendCompatibility.sassList() + " and no PTX");
            return UNSUPPORTED_DEVICE;
        }
        out.println("backend: " + backend.backend() + " (" + backend.backendClass() + ")");
        out.println("build flags:");
        backend.buildInfo().lines().filter(l -> !l.isBlank()).forEach(l -> out.println("  " + l.trim()));
        out.println("blas: " + backend.blasVendor() + ", cores " + backend.cores() + ", omp threads " + backend.ompThreads());

        List<DeviceDescription> devices = assumed != null ? List.of(assumed) : backend.devices();
        if (assumed != null) out.println("device: assumed by --assume-device (the backend's own devices are not checked)");
        if (devices.isEmpty()) out.println(backend.isCuda() ? "device: the CUDA backend reported no device" : "device: none (" + backend.backend()
                + " backend; the compute-capability check applies to the CUDA backend)");
        List<BackendCompatibility.Verdict> unsupported = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            DeviceDescription d = devices.get(i);
            BackendCompatibility.Verdict v = BackendCompatibility.check(d);
            out.println("device " + i + ": " + d.name() + ", compute capability " + d.computeCapability() + ": " + (v.runnable() ? v.message() : "NOT SUPPORTED"));
            if (!v.runnable()) unsupported.add(v);
        }
        if (!unsupported.isEmpty()) {
            for (BackendCompatibility.Verdict v : unsupported) out.println("doctor: STOP: " + v.message());
            return UNSUPPORTED_DEVICE;
        }

        boolean ok = golden(out);
        ok &= training(out, toTrain, ref, backend);
        out.println(ok ? "doctor: all checks passed" : "doctor: SOME CHECKS FAILED (see the lines marked FAIL above)");
        return ok ? 0 : 1;
    }

    private boolean golden(PrintStream out) {
        if (!Files.isDirectory(golden)) {
            out.println("golden fixtures: skipped (no directory " + golden + "; pass --golden DIR with the fixtures of shared/golden)");
            return true;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(golden)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + golden + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            out.println("golden fixtures: skipped (no *.json in " + golden + ")");
            return true;
        }
        out.println("golden fixtures (float64, active backend): " + golden);
        DataType oldDefault = Nd4j.dataType(), oldFloat = Nd4j.defaultFloatingPointType();
        boolean all = true;
        try {
            for (Path f : files) {
                long t0 = System.nanoTime();
                try {
                    GoldenVerifier.Report r = GoldenVerifier.verify(f);
                    out.println(String.format(Locale.ROOT, "  %s (worst %s %.1e, %.1f s)", r.verdictLine(), r.worst().quantity(), r.worst().error(), (System.nanoTime() - t0) / 1e9));
                    all &= r.passed();
                } catch (RuntimeException e) {
                    out.println("  golden " + f + ": FAIL (" + e + ")");
                    all = false;
                }
            }
        } finally {
            Nd4j.setDefaultDataTypes(oldDefault, oldFloat);
        }
        return all;
    }

    private boolean training(PrintStream out, List<String> toTrain, LossReference ref, BackendReport backend) {
        if (toTrain.isEmpty()) {
            out.println("training: skipped (--models none)");
            return true;
        }
        String refName = reference != null ? reference.toString() : "bundled CPU reference";
        out.println(String.format(Locale.ROOT, "training (float32, Rep-MTL EW, SGD, synthetic batch, %d steps; reference: %s, tolerance %.0e relative; step 1 includes building the graph):",
                steps, ref == null ? "none" : refName + " (" + ref.backend() + ")", tolerance));
        boolean all = true;
        Map<String, List<TrainingCheck.Step>> runs = new LinkedHashMap<>();
        for (String model : toTrain) {
            List<TrainingCheck.Step> run;
            try {
                run = TrainingCheck.run(model, steps);
            } catch (RuntimeException e) {
                out.println("  " + model + ": FAIL (" + e + ")");
                all = false;
                continue;
            }
            runs.put(model, run);
            for (TrainingCheck.Step s : run) {
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-8s step %d: %8.1f ms ", model, s.step(), s.ms()));
                s.values().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s=%.6g", k, v)));
                LossReference.Comparison c = ref == null ? null : ref.compare(model, s);
                if (ref == null) sb.append("  (no reference)");
                else if (c == null) sb.append("  (reference has no such step)");
                else if (c.missing() != null) {
                    sb.append("  FAIL (this run has no '").append(c.missing()).append("')");
                    all = false;
                } else {
                    boolean pass = c.within(tolerance);
                    sb.append(String.format(Locale.ROOT, "  vs reference: max rel diff %.1e (%s) %s", c.worstError(), c.worstValue(), pass ? "OK" : "FAIL"));
                    all &= pass;
                }
                out.println(sb);
            }
        }
        if (writeReference != null) {
            LossReference.of(backend.backend(), String.join(" ", backend.buildInfo().lines().map(String::trim).filter(l -> !l.isEmpty()).toList()), runs).write(writeReference);
            out.println("reference written: " + writeReference + (backend.isCuda() ? " (made on CUDA: a CPU reference is the one to compare against)" : ""));
        }
        return all;
    }
}
