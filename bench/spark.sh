#!/usr/bin/env bash
# Spark's per-step overhead with the gradient master (issue 15 part 7): for HPS LeNet (batch 256) and HPS ResNet-18
# (batch 32, 3x64x64), each in its own JVM, Rep-MTL (EW) + Adam 1e-4 steps of (a) the single-machine trainer,
# (b) SparkMultiTaskTrainer with 1 worker on local[1] and (c) 2 workers of half the batch on local[2], paired and
# alternated in blocks after a warm-up of at least 20 s. Prints per case the median step times, the overheads
# (b-a)/a and (c-a)/a against the issue's targets, the bytes shipped per step, where a Spark step's time goes, and the
# cost model's predictions for 8, 32 and 128 workers with both training masters (SparkCostModel).
#   CASES=lenet bench/spark.sh --steps 20 --bandwidth-gbit 25
# Extra arguments go to every run (--steps, --rounds, --warmup-seconds, --bandwidth-gbit, --averaging-frequency).
set -euo pipefail
cd "$(dirname "$0")/.."
for c in ${CASES:-lenet resnet18}; do ./repmtl bench spark --cases "$c" "$@"; done
