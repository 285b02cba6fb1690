#!/usr/bin/env bash
# Samples per second of the NYUv2 .npy loader (288x384, scale-crop/flip augmentation) from disk.
# Usage: bench/datavec-throughput.sh [samples=48] [batchSize=8] [epochs=3]
# Extra Maven options (e.g. -o) can be passed in MVN_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B ${MVN_ARGS:-} -pl repmtl-datavec test-compile exec:java \
    -Dexec.classpathScope=test \
    -Dexec.mainClass=io.github.repmtl.datavec.bench.DenseThroughputBenchmark \
    -Dexec.args="${*:-48 8 3}"
