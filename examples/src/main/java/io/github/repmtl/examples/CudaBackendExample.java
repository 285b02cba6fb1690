package io.github.repmtl.examples;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Example 5: which ND4J backend runs. Build with {@code ./mvnw -Pcuda,cuda-redist -DskipTests install} (or
 * {@code -Pcuda} with a system CUDA 11.6) and run any program: nothing in the code changes. The M2.1 CUDA
 * binaries run on compute capability 3.7 to 8.6 (Kepler to Ampere/Ada), not on Hopper.
 */
public final class CudaBackendExample {
    public static void main(String[] args) {
        System.out.println("ND4J backend: " + Nd4j.getBackend().getClass().getSimpleName());
        System.out.println(Nd4j.getExecutioner().getEnvironmentInformation());
        System.out.println("2x2 matmul check: " + Nd4j.eye(2).mmul(Nd4j.ones(2, 2)));
    }
}
