package io.github.repmtl.examples.doctor;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the device list from ND4J's environment properties, with CUDA-shaped properties injected. */
class BackendReportTest {
    @Test
    void cudaDevicesAreReadFromTheEnvironmentProperties() {
        Properties p = new Properties();
        p.put("backend", "CUDA");
        p.put("cuda.availableDevices", 2);
        p.put("blas.vendor", "CUBLAS");
        p.put("cuda.devicesInformation", List.of(
                Map.of("cuda.deviceName", "NVIDIA A100-SXM4-40GB", "cuda.deviceMajor", 8L, "cuda.deviceMinor", 0L, "cuda.totalMemory", 42L),
                Map.of("cuda.deviceName", "NVIDIA H100 PCIe", "cuda.deviceMajor", 9L, "cuda.deviceMinor", 0L)));
        BackendReport r = BackendReport.fromProperties(p, "org.nd4j.linalg.jcublas.JCublasBackend", "HAVE_CUDNN\n");
        assertTrue(r.isCuda());
        assertEquals("CUBLAS", r.blasVendor());
        assertEquals("HAVE_CUDNN", r.buildInfo());
        assertEquals(List.of(DeviceDescription.cuda("NVIDIA A100-SXM4-40GB", 8, 0), DeviceDescription.cuda("NVIDIA H100 PCIe", 9, 0)), r.devices());
        assertEquals(BackendCompatibility.Status.UNSUPPORTED, BackendCompatibility.check(r.devices().get(1)).status());
    }

    @Test
    void theCpuBackendReportsNoDevices() {
        BackendReport r = BackendReport.ofActiveBackend();
        assertEquals("CPU", r.backend(), r.toString());
        assertTrue(r.devices().isEmpty());
    }
}
