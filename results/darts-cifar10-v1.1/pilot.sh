#!/usr/bin/env bash
# Pilot of darts-cifar10 v1.1: the dataset's own commands (build.sh) for seed 0, stopped after its first epoch
# (training on 45k images + scoring the 500 genotypes). Prints the epoch line (wall and CPU seconds of training and
# scoring) and each step's wall / CPU seconds as GNU time measures them (store creation, data loading included);
# the whole log is STATE/pilot-seed0.log. The store and checkpoint it leaves in STATE are the real build's first
# epoch (rerun build.sh to continue).
#   results/darts-cifar10-v1.1/pilot.sh DATA STATE
set -euo pipefail
data="$1"; state="$2"
here="$(cd "$(dirname "$0")" && pwd)"
/usr/bin/time -f "create-only: %e s wall, %U+%S CPU s" "$here/build.sh" "$data" "$state" --create-only > /dev/null
/usr/bin/time -f "seed 0, one epoch (process): %e s wall, %U+%S CPU s" \
  "$here/build.sh" "$data" "$state" --only-seeds 0 --stop-after-epochs 1 2>&1 | tee "$state/pilot-seed0.log" |
  grep -E "epoch 1:|CPU s$"
