package io.github.repmtl.examples.doctor;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Whether the bundled ND4J 1.0.0-M2.1 CUDA binaries can run on a device. They carry SASS (machine code) for
 * {@link #SASS} and no PTX, so the driver cannot compile a kernel for a newer architecture: a device of compute
 * capability {@code X.y} runs a SASS {@code sm_Xz} only with the same major {@code X} and {@code z <= y}
 * (NVIDIA's binary compatibility rule). So 8.9 (Ada) runs sm_86, 7.2 (Xavier) sm_70, 5.3 sm_52, while 9.0
 * (Hopper) and above, and everything below 3.7 (e.g. 3.5 Kepler), have no kernel image at all and fail with
 * "no kernel image is available for execution on the device".
 */
public final class BackendCompatibility {
    /** The SASS targets of the M2.1 CUDA binaries, as {@code 10 * major + minor}. */
    public static final List<Integer> SASS = List.of(37, 50, 52, 60, 61, 70, 75, 80, 86);

    /** What the decision was. */
    public enum Status {
        /** The backend has no GPU device (CPU backend): nothing to decide. */
        NO_DEVICE,
        /** The device runs one of the bundled SASS targets. */
        RUNNABLE,
        /** No bundled SASS runs on the device: every CUDA kernel would fail. */
        UNSUPPORTED
    }

    /**
     * The verdict for one device.
     *
     * @param sass the bundled SASS target the device runs (e.g. {@code sm_86}), or null
     */
    public record Verdict(DeviceDescription device, Status status, String sass, String message) {
        public boolean runnable() { return status != Status.UNSUPPORTED; }
    }

    private BackendCompatibility() {}

    /** Decides for {@code device}; a non-CUDA backend has no device to check. */
    public static Verdict check(DeviceDescription device) {
        if (!device.isCuda())
            return new Verdict(device, Status.NO_DEVICE, null, device.backend() + " backend: no GPU device, nothing to check");
        String cc = device.computeCapability();
        Integer best = null;
        for (int s : SASS)
            if (s / 10 == device.major() && s % 10 <= device.minor()) best = s;
        if (best != null)
            return new Verdict(device, Status.RUNNABLE, "sm_" + best, String.format(Locale.ROOT,
                    "compute capability %s runs the bundled sm_%d SASS: supported", cc, best));
        String why = device.major() > 8 ? "9.0 and above (Hopper and later) is newer than any of them"
                : device.major() * 10 + device.minor() < 37 ? "below 3.7 is older than all of them"
                : "no target has major " + device.major() + " and minor <= " + device.minor();
        return new Verdict(device, Status.UNSUPPORTED, null, String.format(Locale.ROOT,
                "compute capability %s of '%s' is not supported by the ND4J 1.0.0-M2.1 CUDA binaries: they carry SASS for %s and no PTX, "
                        + "and %s; every CUDA kernel would fail with 'no kernel image is available for execution on the device'. "
                        + "Use the CPU backend (build without -Pcuda) or a GPU of compute capability 3.7 to 8.9 "
                        + "(with several GPUs, select one with CUDA_VISIBLE_DEVICES)", cc, device.name(), sassList(), why));
    }

    /** {@code sm_37, sm_50, ..., sm_86}. */
    public static String sassList() { return SASS.stream().map(s -> "sm_" + s).collect(Collectors.joining(", ")); }
}
