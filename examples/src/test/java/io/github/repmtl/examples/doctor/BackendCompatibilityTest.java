package io.github.repmtl.examples.doctor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compute-capability decision with injected devices (no GPU needed). */
class BackendCompatibilityTest {
    private static BackendCompatibility.Verdict cc(int major, int minor) {
        return BackendCompatibility.check(DeviceDescription.cuda("GPU " + major + "." + minor, major, minor));
    }

    @Test
    void everyBundledSassRunsOnItsOwnComputeCapability() {
        for (int s : BackendCompatibility.SASS) {
            BackendCompatibility.Verdict v = cc(s / 10, s % 10);
            assertEquals(BackendCompatibility.Status.RUNNABLE, v.status(), v.message());
            assertEquals("sm_" + s, v.sass());
        }
    }

    @Test
    void aNewerMinorRunsTheHighestSassOfItsMajor() {
        assertEquals("sm_86", cc(8, 9).sass());   // Ada (RTX 4090, L4, L40)
        assertEquals("sm_86", cc(8, 7).sass());   // Jetson Orin
        assertEquals("sm_70", cc(7, 2).sass());   // Jetson Xavier
        assertEquals("sm_52", cc(5, 3).sass());   // Jetson TX1
        assertEquals("sm_61", cc(6, 2).sass());   // Jetson TX2
        assertTrue(cc(8, 9).message().contains("8.9") && cc(8, 9).message().contains("sm_86"), cc(8, 9).message());
    }

    @Test
    void hopperAndLaterAreUnsupported() {
        for (int[] c : new int[][]{{9, 0}, {10, 0}, {12, 0}}) {
            BackendCompatibility.Verdict v = cc(c[0], c[1]);
            assertEquals(BackendCompatibility.Status.UNSUPPORTED, v.status());
            assertFalse(v.runnable());
            assertNull(v.sass());
            assertTrue(v.message().contains("no kernel image is available"), v.message());
            assertTrue(v.message().contains("9.0 and above"), v.message());
            assertTrue(v.message().contains(c[0] + "." + c[1]), v.message());
        }
    }

    @Test
    void olderThanKepler37IsUnsupported() {
        for (int[] c : new int[][]{{3, 5}, {3, 0}, {2, 1}}) {
            BackendCompatibility.Verdict v = cc(c[0], c[1]);
            assertEquals(BackendCompatibility.Status.UNSUPPORTED, v.status(), v.message());
            assertTrue(v.message().contains("below 3.7"), v.message());
        }
        // a minor below the major's only SASS: 8.0 runs sm_80, a hypothetical 8.0 minus does not exist; 6.0 runs sm_60
        assertEquals("sm_60", cc(6, 0).sass());
        assertEquals(BackendCompatibility.Status.UNSUPPORTED, cc(4, 0).status()); // no SASS of major 4
    }

    @Test
    void theCpuBackendHasNoDevice() {
        BackendCompatibility.Verdict v = BackendCompatibility.check(new DeviceDescription("CPU", "none", 0, 0));
        assertEquals(BackendCompatibility.Status.NO_DEVICE, v.status());
        assertTrue(v.runnable());
    }

    @Test
    void deviceSpecificationsParse() {
        DeviceDescription d = DeviceDescription.parse("NVIDIA H100 80GB HBM3:9.0");
        assertEquals("NVIDIA H100 80GB HBM3", d.name());
        assertEquals(9, d.major());
        assertEquals(0, d.minor());
        assertTrue(d.isCuda());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescription.parse("H100:nine"));
        assertThrows(IllegalArgumentException.class, () -> DeviceDescription.parse("H100:9"));
    }
}
