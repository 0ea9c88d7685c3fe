#!/usr/bin/env bash
# The fine-tuned protocol of di64-cifar10, one run at a time (builders finetune takes finetune.lock): all 64
# subnets of each (seed, epoch) in 0,1,2 x 8,15,30, skipping a (seed, epoch) whose fine-tuned scores are all in
# the store and waiting for a seed's kept supernet of that epoch (its build may still run). Each run is timed by
# GNU time into LOG (build_time.py reads it); a stopped run's finished subnets are kept, so rerunning goes on.
#   results/di64-cifar10/finetunes.sh DATA S W LOG        (absolute paths; run from anywhere)
set -uo pipefail
data="$(realpath "$1")"; store="$(realpath "$2")"; work="$(realpath "$3")"; log="$(realpath -m "$4")"
cd "$(dirname "$0")/../.."                         # python -m builders runs from the repository's root
py="${PYTHON:-python}"
done_() {  # every subnet of (seed, epoch) has a fine-tuned score; a check that cannot run stops the script
  local r; r="$("$py" -c "import sys, numpy as np, zarr
g = zarr.open_group(sys.argv[1], mode='r'); s, e = int(sys.argv[2]), int(sys.argv[3])
i, j = list(g['seed'][:]).index(s), list(g['epoch'][:]).index(e)
print('done' if 'finetune_score' in g and np.isfinite(g['finetune_score'][i, j]).all() else 'todo')" "$store" "$1" "$2")"
  case "$r" in done) return 0 ;; todo) return 1 ;;
    *) echo "error: cannot read $store with $py (is the project's environment active?)" >&2; exit 1 ;; esac
}
for s in 0 1 2; do for e in 8 15 30; do
  done_ "$s" "$e" && continue
  while [ ! -e "$work/seed$s.epoch$e.ckpt" ]; do sleep 30; done   # the build keeps it after scoring epoch e
  echo "finetune seed $s epoch $e start $(date +%T)" >> "$log"
  /usr/bin/time -f "finetune seed $s epoch $e: %e s wall, %U+%S CPU s" -a -o "$log" \
    "$py" -m builders finetune --store "$store" --work "$work" --seed "$s" --data-dir "$data" --epoch "$e" \
    --subnets all >> "$log" 2>&1 || exit 1
done; done
echo "all fine-tunes done $(date +%T)" >> "$log"
