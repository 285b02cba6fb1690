#!/usr/bin/env bash
# Zoo benchmarks (see io.github.repmtl.zoo.bench.ZooBenchmark): HPS ResNet-18 training step, HpsDeepLab and
# HpsSegNet forward+backward at 288x384, inference throughput and peak memory, one JVM per model.
# Usage: bench/zoo-benchmark.sh [resnet18|deeplab|segnet ...] ; PATH_MODE=api|cached (default: both), STEPS=n.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=/tmp/repmtl-mvn.lock
CP_FILE=repmtl-zoo/target/bench-classpath.txt
# hold the shared lock for the whole run: no build competes for the 2 cores while we measure, and no other
# checkout's build can slip in between compiling and measuring
exec 9>"$LOCK"
flock 9
./mvnw -q -B -pl repmtl-zoo -am -DskipTests test-compile \
  dependency:build-classpath -Dmdep.outputFile="$PWD/$CP_FILE" -Dmdep.includeScope=test
CP="repmtl-zoo/target/test-classes:repmtl-zoo/target/classes:repmtl-samediff/target/classes:$(cat "$CP_FILE")"
MODELS=("$@")
[ ${#MODELS[@]} -eq 0 ] && MODELS=(resnet18 segnet deeplab)
MODES=${PATH_MODE:-"api cached"}
for m in "${MODELS[@]}"; do
  for mode in $MODES; do
    java ${JAVA_OPTS:-} -Xmx8g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G \
      -cp "$CP" io.github.repmtl.zoo.bench.ZooBenchmark "$m" "$mode" "${STEPS:-10}"
  done
done
