#!/usr/bin/env bash
# The dataset di64-cifar10 (issue 26, item 4): SPOS supernets on the 64-architecture space of *Deeper Insights
# into Weight Sharing in NAS* at the authors' network scale (builders/di64 `paper`: C=16, 4 cells, 2 nodes, 32x32,
# batch 256, SGD lr 0.025 cosine to 0.001, wd 1e-3), trained 30 of the authors' 200 epochs (the cosine anneals over
# the 30, so the learning rate still reaches 0.001; README.md says why 30), all 64 architectures scored after EVERY
# epoch on 1,000 held-out images (BN recalibrated on 4 training batches of 256; fp32), supernet seeds 0, 1, 2;
# the supernets of epochs 8, 15, 30 kept for the fine-tuned protocol.
#   results/di64-cifar10/build.sh DATA_DIR OUT_STORE WORK_DIR --create-only     # once
#   results/di64-cifar10/build.sh DATA_DIR OUT_STORE WORK_DIR --only-seeds 0   # one process per seed
# Resumable: rerun the same command. Keep OUT_STORE and WORK_DIR outside the work tree.
set -euo pipefail
data="$1"; out="$2"; work="$3"; shift 3
here="$(cd "$(dirname "$0")" && pwd)"
exec "${PYTHON:-python}" -m builders build di64 --preset paper --data-dir "$data" --epochs 30 \
  --score-epochs $(seq -s, 1 30) --archs-from "$here/archs.txt" --seeds 0,1,2 --score-size 1000 \
  --keep-checkpoints 8,15,30 --out "$out" --work "$work" --keep-work "$@"
