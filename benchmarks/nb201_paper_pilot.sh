#!/usr/bin/env bash
# The budget pilot of nb201-cifar10-paper (issue 29): one supernet seed at NAS-Bench-201's network scale
# (C=16, N=5, 32x32, batch 256, 25k training images), cosine over 64 epochs, the 256 function-distinct
# subnets of results/nb201-cifar10-paper/pilot-archs.txt scored after epochs 1, 2, 4, ..., 64 on 1,000
# held-out images (BN recalibrated on 4 training batches of 256).
#   benchmarks/nb201_paper_pilot.sh DATA_DIR OUT_STORE WORK_DIR [--device cuda] [--precision bf16] ...
# Resumable: rerun the same command. Keep OUT_STORE and WORK_DIR outside the work tree.
set -euo pipefail
data="$1"; out="$2"; work="$3"; shift 3
exec "${PYTHON:-python}" -m builders build nb201 --preset paper --data-dir "$data" --epochs 64 \
  --score-epochs 1,2,4,8,16,32,64 --archs-from results/nb201-cifar10-paper/pilot-archs.txt --seeds 0 \
  --score-size 1000 --bn-batches 4 --out "$out" --work "$work" --keep-work "$@"
