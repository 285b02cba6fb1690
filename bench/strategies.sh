#!/usr/bin/env bash
# Step time of every strategy relative to equal weighting on HPS ResNet-18 (3x64x64, batch 32, 3 tasks x 31 classes).
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./repmtl bench strategies "$@"
