#!/usr/bin/env bash
# The dataset nb201-cifar10-paper (issue 29): SPOS supernets at NAS-Bench-201's network scale (C=16, N=5,
# 32x32, 25k training images per epoch), batch 64, lr 0.025 cosine to 0 over 128 epochs (fp32 training), the 1,000
# function-distinct subnets of results/nb201-cifar10-paper/archs.txt scored after epochs 16, 32, 64 and 128 on
# 1,000 held-out images (BN recalibrated on 16 training batches of 64; bf16-autocast scoring, the lever
# benchmarks/precision_lever.py measured at tau 0.968 against fp32), supernet seeds 0, 1, 2.
#   results/nb201-cifar10-paper/build.sh DATA_DIR OUT_STORE WORK_DIR --create-only     # once
#   results/nb201-cifar10-paper/build.sh DATA_DIR OUT_STORE WORK_DIR --only-seeds 0   # one process per seed
# Resumable: rerun the same command. Keep OUT_STORE and WORK_DIR outside the work tree; --keep-work keeps the
# last checkpoint of each seed for the fine-tuned protocol.
set -euo pipefail
data="$1"; out="$2"; work="$3"; shift 3
exec "${PYTHON:-python}" -m builders build nb201 --preset paper --data-dir "$data" --epochs 128 \
  --score-epochs 16,32,64,128 --archs-from results/nb201-cifar10-paper/archs.txt --seeds 0,1,2 \
  --batch-size 64 --lr 0.025 --bn-batches 16 --score-size 1000 --score-precision bf16 \
  --out "$out" --work "$work" --keep-work "$@"
