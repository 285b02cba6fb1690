package io.github.repmtl.examples.doctor;

import java.util.Objects;

/**
 * One compute device as the ND4J backend describes it: the backend's name ({@code CUDA}, {@code CPU}), the
 * device name and its compute capability {@code major.minor} (both 0 where the backend has no GPU device).
 * {@link BackendCompatibility} decides from it alone, so tests inject any device without a GPU.
 */
public record DeviceDescription(String backend, String name, int major, int minor) {
    public DeviceDescription {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(name, "name");
        if (major < 0 || minor < 0) throw new IllegalArgumentException("compute capability must be >= 0, got " + major + "." + minor);
    }

    /** A CUDA device of compute capability {@code major.minor}. */
    public static DeviceDescription cuda(String name, int major, int minor) { return new DeviceDescription("CUDA", name, major, minor); }

    /** Whether the backend is ND4J's CUDA backend. */
    public boolean isCuda() { return backend.equalsIgnoreCase("CUDA"); }

    /** {@code major.minor}, e.g. {@code 8.6}. */
    public String computeCapability() { return major + "." + minor; }

    /**
     * Parses {@code NAME:MAJOR.MINOR} (e.g. {@code "NVIDIA H100:9.0"}) into a CUDA device; the name may itself
     * contain colons, the capability follows the last one.
     */
    public static DeviceDescription parse(String spec) {
        int colon = spec.lastIndexOf(':');
        String cc = colon < 0 ? spec : spec.substring(colon + 1);
        String name = colon < 0 ? "simulated device" : spec.substring(0, colon);
        String[] parts = cc.trim().split("\\.");
        try {
            if (parts.length != 2) throw new NumberFormatException();
            return cuda(name, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device must be NAME:MAJOR.MINOR (e.g. 'NVIDIA H100:9.0'), got '" + spec + "'");
        }
    }
}
