#!/usr/bin/env bash
# Rep-MTL step time relative to equal weighting, interleaved in one run (issue: core performance targets).
# Prints: overhead <case> ew_ms=<median> repmtl_ms=<median> ratio=<repmtl/ew>
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./repmtl bench overhead "$@"
