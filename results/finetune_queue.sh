#!/usr/bin/env bash
# The study's fine-tuned protocol for a finished or running build, one run at a time (builders finetune takes
# finetune.lock): all subnets of each (seed, epoch) of SEEDS x EPOCHS, in that order, skipping a (seed, epoch)
# whose fine-tuned scores are all in the store and waiting for a kept supernet its build has not reached yet.
# Each run is timed by GNU time into LOG (results/nb201-cifar10-paper/build_time.py reads it); a stopped run's
# finished subnets are kept, so rerunning goes on.
#   results/finetune_queue.sh DATA S W LOG SEEDS EPOCHS        (absolute paths or relative to here; run anywhere)
#   di64-cifar10:         results/finetune_queue.sh DATA S W L/di64-finetune.log 0,1,2 8,15,30
#   nb201-cifar10 v2.0:   results/finetune_queue.sh DATA S/control.zarr S/control.work L/nb201v2-finetune.log \
#                             0,1,2 32,8,2,4,16
set -uo pipefail
data="$(realpath "$1")"; store="$(realpath "$2")"; work="$(realpath "$3")"; log="$(realpath -m "$4")"
seeds="${5:?SEEDS, e.g. 0,1,2}"; epochs="${6:?EPOCHS, e.g. 8,15,30}"
cd "$(dirname "$0")/.."                            # python -m builders runs from the repository's root
py="${PYTHON:-python}"
done_() {  # every subnet of (seed, epoch) has a fine-tuned score; a check that cannot run stops the script
  local r; r="$("$py" -c "import sys, numpy as np, zarr
g = zarr.open_group(sys.argv[1], mode='r'); s, e = int(sys.argv[2]), int(sys.argv[3])
i, j = list(g['seed'][:]).index(s), list(g['epoch'][:]).index(e)
print('done' if 'finetune_score' in g and np.isfinite(g['finetune_score'][i, j]).all() else 'todo')" "$store" "$1" "$2")"
  case "$r" in done) return 0 ;; todo) return 1 ;;
    *) echo "error: cannot read $store with $py (is the project's environment active?)" >&2; exit 1 ;; esac
}
for s in ${seeds//,/ }; do for e in ${epochs//,/ }; do
  done_ "$s" "$e" && continue
  while [ ! -e "$work/seed$s.epoch$e.ckpt" ]; do sleep 30; done   # the build keeps it after scoring epoch e
  echo "finetune seed $s epoch $e start $(date +%T)" >> "$log"
  /usr/bin/time -f "finetune seed $s epoch $e: %e s wall, %U+%S CPU s" -a -o "$log" \
    "$py" -m builders finetune --store "$store" --work "$work" --seed "$s" --data-dir "$data" --epoch "$e" \
    --subnets all >> "$log" 2>&1 || exit 1
done; done
echo "all fine-tunes done $(date +%T)" >> "$log"
