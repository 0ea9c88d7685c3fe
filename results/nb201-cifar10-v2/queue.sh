#!/usr/bin/env bash
# One core's queue of the 27 (run, seed) supernets of nb201-cifar10 v2.0: runs them one after another, each a
# 1-thread `build.sh DATA STATE RUN --only-seeds S --keep-work --stop-by STOP_BY` logged to LOGS/nb201v2-RUN-seedS.log,
# and stops at the first one that did not reach epoch 32 (it hit STOP_BY). Start one queue per free core: the
# queues share the list by claiming each (run, seed) with mkdir STATE/claims/RUN-S, and a (run, seed) whose
# checkpoint is at epoch 32 is skipped, so rerunning (after `checkpoint restore` on a new machine) goes on where
# the last session stopped. Order: whole runs first, the control (the fine-tuned protocol needs it) and the 0.9
# factors first, the 0.75 factors last (the issue drops them first if the budget runs short).
#   results/nb201-cifar10-v2/queue.sh DATA STATE LOGS HH:MM [AFTER_PID]   (AFTER_PID: start once it has ended)
# --keep-work: a finished seed keeps its checkpoint, so `save.sh` can carry its scores to the next machine.
set -uo pipefail
data="$(realpath "$1")"; state="$(realpath "$2")"; logs="$(realpath -m "$3")"; stop_by="$4"; after="${5:-}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."                                   # python -m builders runs from the repository's root
py="${PYTHON:-python}"
order="control optimistic-0.9 random-0.9 supernet-0.9 optimistic-0.5 random-0.5 supernet-0.5 optimistic-0.75 random-0.75"
if [ -n "$after" ]; then while kill -0 "$after" 2>/dev/null; do sleep 20; done; fi
mkdir -p "$state/claims" "$logs"
"$py" -c "import torch, zarr" || { echo "error: $py cannot import torch and zarr; activate the build's environment" >&2; exit 1; }
finished() {  # the (run, seed)'s checkpoint is at epoch 32
  "$py" -c "import sys; from pathlib import Path; from builders.engine import checkpoint as c
s = c.read(Path(sys.argv[1])); sys.exit(0 if s and int(s['epoch']) == 32 else 1)" "$state/$1.work/seed$2.ckpt" 2>/dev/null
}
claim() {  # mkdir is atomic; a claim whose queue died (its pid gone: a killed session) is taken over
  if mkdir "$state/claims/$1" 2>/dev/null; then echo $$ > "$state/claims/$1/pid"; return 0; fi
  local p; p="$(cat "$state/claims/$1/pid" 2>/dev/null)"
  if [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null; then echo $$ > "$state/claims/$1/pid"; return 0; fi
  return 1
}
release() { rm -rf "${state:?}/claims/$1"; }
for r in $order; do for s in 0 1 2; do
  finished "$r" "$s" && continue
  claim "$r-$s" || continue                                  # the other queue has it
  if [[ "$(date +%H:%M)" > "$stop_by" ]]; then release "$r-$s"; exit 0; fi
  echo "== $(date +%T) $r seed $s" >> "$logs/nb201v2-queue.log"
  /usr/bin/time -f "$r seed $s: %e s wall, %U+%S CPU s" -a -o "$logs/nb201v2-queue.log" \
    "$here/build.sh" "$data" "$state" "$r" --only-seeds "$s" --keep-work --stop-by "$stop_by" \
    >> "$logs/nb201v2-$r-seed$s.log" 2>&1
  rc=$?
  release "$r-$s"
  if ! finished "$r" "$s"; then echo "== $(date +%T) $r seed $s stopped (rc $rc)" >> "$logs/nb201v2-queue.log"; exit 0; fi
done; done
# every seed finished: a run whose seeds were restored from checkpoints (not finished here) is finalized by one
# more (instant) build of seed 0, as its last seed's build would have done
for r in $order; do
  "$py" -c "import sys, zarr; a = zarr.open_group(sys.argv[1], mode='r').attrs
sys.exit(0 if a.get('complete') or a.get('scores_complete') else 1)" "$state/$r.zarr" && continue
  claim "$r-final" || continue
  "$here/build.sh" "$data" "$state" "$r" --only-seeds 0 --keep-work >> "$logs/nb201v2-$r-seed0.log" 2>&1
  release "$r-final"
done
echo "== $(date +%T) queue empty" >> "$logs/nb201v2-queue.log"
