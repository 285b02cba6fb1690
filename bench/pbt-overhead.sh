#!/usr/bin/env bash
# Population-based training's wall time against P independent trainings of the same epochs (issue 16: at most +5%,
# checkpoint copies included): see io.github.repmtl.examples.bench.PbtOverheadBenchmark. HPS LeNet on MultiFashion.
# Usage: bench/pbt-overhead.sh [population rounds readyEpochs trainSize validationSize batch repetitions]
#   defaults: 4 4 2 10000 2000 256 4   (prints one line per arm and "pbt-overhead total ... ratio=...")
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=/tmp/repmtl-mvn.lock
# hold the shared lock for the whole run: no build (or other lock-holding benchmark) competes for the 2 cores
exec 9>"$LOCK"
flock 9
./repmtl --help >/dev/null
modules="examples/target/classes"
for m in repmtl-samediff repmtl-zoo repmtl-datavec repmtl-arbiter repmtl-onnx repmtl-spark; do modules="$modules:$m/target/classes"; done
out="${OUT:-$(mktemp -d /tmp/pbt-overhead.XXXXXX)}"
args=("${1:-4}" "${2:-4}" "${3:-2}" "${4:-10000}" "${5:-2000}" "${6:-256}" "${7:-4}" "$out")
java ${JAVA_OPTS:--Xmx8g} -cp "$modules:$(cat examples/target/repmtl.classpath)" \
  io.github.repmtl.examples.bench.PbtOverheadBenchmark "${args[@]}" 2>&1 | { grep -v " INFO \| DEBUG " || true; }
rm -rf "$out"
