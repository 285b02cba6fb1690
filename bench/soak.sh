#!/usr/bin/env bash
# Memory over a long Rep-MTL run (issue 17 part 5): 10,000 steps of HPS LeNet (batch 256) and 1,000 of HPS ResNet-18
# (batch 32), each in its own JVM (default -Xmx8g), trained through the trainer's fit loop with logs, validation and
# checkpoints as `repmtl train` does. Prints, per figure (Java heap after the last GC, JavaCPP physicalBytes and
# totalBytes, VmRSS; and heap_live, the heap after the trainer's per-epoch full collection), the least-squares growth over
# the second half of the run in MB and % per 1000 steps, ± one standard error.
#   LENET_STEPS=2000 LENET_BATCH=64 RESNET_STEPS=0 bench/soak.sh     # shorter; RESNET_STEPS=0 skips ResNet-18
# Extra arguments go to both runs (e.g. --samples-csv /tmp/soak writes /tmp/soak-lenet.csv and /tmp/soak-resnet18.csv).
set -euo pipefail
cd "$(dirname "$0")/.."
lenet_steps="${LENET_STEPS:-10000}"
resnet_steps="${RESNET_STEPS:-1000}"
if [[ "$lenet_steps" != 0 ]]; then ./repmtl bench soak --cases lenet --steps "$lenet_steps" --batch "${LENET_BATCH:-256}" "$@"; fi
if [[ "$resnet_steps" != 0 ]]; then ./repmtl bench soak --cases resnet18 --steps "$resnet_steps" --batch "${RESNET_BATCH:-32}" "$@"; fi
