package io.github.repmtl.examples.doctor;

import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What the active ND4J backend says about itself: its name ({@code CPU}, {@code CUDA}), backend class, build
 * flags ({@code Nd4jBackend.buildInfo()}), a few environment values, and on CUDA one {@link DeviceDescription}
 * per device ({@code cuda.devicesInformation} of {@code OpExecutioner.getEnvironmentInformation()}).
 */
public record BackendReport(String backend, String backendClass, String buildInfo, String blasVendor, String cores,
                            String ompThreads, List<DeviceDescription> devices) {

    /** Reads the active backend (initialises ND4J). */
    public static BackendReport ofActiveBackend() {
        Properties p = Nd4j.getExecutioner().getEnvironmentInformation();
        String buildInfo;
        try {
            buildInfo = Nd4j.getBackend().buildInfo();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            buildInfo = "(not available: " + e + ")";
        }
        return fromProperties(p, Nd4j.getBackend().getClass().getName(), buildInfo);
    }

    /** Parses ND4J's environment properties (the seam the tests use). */
    public static BackendReport fromProperties(Properties p, String backendClass, String buildInfo) {
        String backend = string(p.get(Nd4jEnvironment.BACKEND_KEY), backendClass.toLowerCase().contains("cuda") ? "CUDA" : "CPU");
        List<DeviceDescription> devices = new ArrayList<>();
        if (p.get(Nd4jEnvironment.CUDA_DEVICE_INFORMATION_KEY) instanceof List<?> list)
            for (Object o : list)
                if (o instanceof Map<?, ?> m)
                    devices.add(new DeviceDescription(backend, string(m.get(Nd4jEnvironment.CUDA_DEVICE_NAME_KEY), "unknown device"),
                            integer(m.get(Nd4jEnvironment.CUDA_DEVICE_MAJOR_VERSION_KEY)), integer(m.get(Nd4jEnvironment.CUDA_DEVICE_MINOR_VERSION_KEY))));
        return new BackendReport(backend, backendClass, buildInfo == null ? "" : buildInfo.trim(),
                string(p.get(Nd4jEnvironment.BLAS_VENDOR_KEY), "?"), string(p.get(Nd4jEnvironment.CPU_CORES_KEY), "?"),
                string(p.get(Nd4jEnvironment.OMP_THREADS_KEY), "?"), List.copyOf(devices));
    }

    public boolean isCuda() { return backend.equalsIgnoreCase("CUDA"); }

    private static String string(Object o, String fallback) { return o == null ? fallback : o.toString(); }

    private static int integer(Object o) {
        if (o instanceof Number n) return n.intValue();
        if (o == null) return 0;
        return Integer.parseInt(o.toString().trim());
    }
}
