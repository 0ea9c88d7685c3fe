#!/usr/bin/env bash
# Pilot of nb201-cifar10 v2.0: one supernet epoch (training + scoring what its run keeps) of the control (1,000
# cells scored) and of optimistic-0.9 (100 cells), seed 0, with the dataset's own commands: the stores and
# checkpoints it leaves in STATE are the real builds' first epoch (rerun build.sh to continue them).
#   results/nb201-cifar10-v2/pilot.sh DATA STATE     prints each run's "trained in X s, scored N subnets in Y s"
set -euo pipefail
data="$1"; state="$2"
here="$(cd "$(dirname "$0")" && pwd)"
for run in control optimistic-0.9; do
  "$here/build.sh" "$data" "$state" "$run" --create-only > /dev/null
  "$here/build.sh" "$data" "$state" "$run" --only-seeds 0 --stop-after-epochs 1 2>&1 | grep -E "epoch 1:" |
    sed "s/^/$run: /"
done
