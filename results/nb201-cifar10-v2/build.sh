#!/usr/bin/env bash
# nb201-cifar10 v2.0 (issue 30): SPOS supernets retrained on pruned spaces at v1.1's mini recipe, one store.
# The pool: the 1,000 cells of nb201-cifar10 1.2 (= 1.1's arrays plus function_id; AnalogNAS GT, 8 proxies).
# Nine runs x supernet seeds 0, 1, 2 = 27 supernets, each on its own store, then merged:
#   control                          the whole space (uniform), as v1.1's supernets; scores all 1,000 cells
#   optimistic-{0.5,0.75,0.9}        the pool minus its worst fraction by GT (an oracle)
#   random-{0.5,0.75,0.9}            the pool minus a random fraction (rule seed 0)
#   supernet-{0.5,0.9}               the pool minus its worst fraction by v1.2's supernet (seed 0, epoch 32)
# Recipe (v1.1's): --preset mini (C=8, one cell per stage, 16x16, 45k training images, batch 64, lr 0.1 cosine),
# 32 epochs, scored after 1, 2, 4, 8, 16, 32 (as v1.1) on 1,000 held-out images, BN recalibrated on 10 batches,
# supernet_loss recorded; a pruned run scores only the cells its space keeps (NaN elsewhere). The control keeps its
# checkpoints of epochs 2-32 in its work folder for the fine-tuned protocol (issue 30 item 3).
#   results/nb201-cifar10-v2/build.sh DATA STATE RUN [build options]   e.g. RUN=random-0.5 --only-seeds 1
#   results/nb201-cifar10-v2/build.sh DATA STATE merge                  -> STATE/nb201-cifar10-2.0.zarr
#   results/nb201-cifar10-v2/build.sh DATA STATE list                   the nine runs, one per line
# STATE (outside the work tree) holds STATE/RUN.zarr and STATE/RUN.work. Resumable: rerun the same command.
# Create each run's store once (--create-only), then one process per seed (--only-seeds S).
set -euo pipefail
data="$1"; state="$2"; run="$3"; shift 3
here="$(cd "$(dirname "$0")" && pwd)"
runs="control optimistic-0.5 optimistic-0.75 optimistic-0.9 random-0.5 random-0.75 random-0.9 supernet-0.5 supernet-0.9"
py="${PYTHON:-python}"
case " $runs merge list " in *" $run "*) ;; *) echo "error: unknown run '$run'; one of: $runs, merge, list" >&2; exit 1 ;; esac
# the pool: v1.2's store (sha256 ad7ec874...), which left the wheel when v2.0 shipped: from git unless POOL names it
pool="${POOL:-$state/nb201-cifar10-1.2.zip}"
if [ ! -f "$pool" ] && [ "$run" != list ]; then
  mkdir -p "$state"
  git -C "$here" show dbfbfa7:wsbench/datasets/nb201-cifar10-1.2.zip > "$pool.part" && mv "$pool.part" "$pool" || {
    rm -f "$pool.part"; echo "error: no pool: set POOL to nb201-cifar10 v1.2's zip (git show dbfbfa7:wsbench/datasets/nb201-cifar10-1.2.zip)" >&2; exit 1; }
fi
if [ "$run" != list ]; then
  got="$(sha256sum "$pool" | cut -c1-8)"
  if [ "$got" != ad7ec874 ]; then echo "error: $pool has sha256 $got..., expected v1.2's ad7ec874..." >&2; exit 1; fi
fi
case "$run" in
  list) for r in $runs; do echo "$r"; done; exit 0 ;;
  merge) stores=(); for r in $runs; do stores+=("$state/$r.zarr"); done
         exec "$py" -m builders merge-pruned "${stores[@]}" --gt-from "$pool" --out "$state/nb201-cifar10-2.0.zarr" ;;
  control) rule=(--keep-checkpoints 2,4,8,16,32) ;;  # kept for the fine-tuned protocol (builders finetune --epoch E)
  optimistic-*) rule=(--prune-rule optimistic --prune-factor "${run#optimistic-}") ;;
  random-*) rule=(--prune-rule random --prune-factor "${run#random-}" --prune-seed 0) ;;
  supernet-*) rule=(--prune-rule supernet --prune-factor "${run#supernet-}" --prune-score "$pool"
                    --prune-score-epoch 32 --prune-score-seed 0) ;;
  *) echo "error: unknown run '$run'; one of: $runs, merge, list" >&2; exit 1 ;;
esac
exec "$py" -m builders build nb201 --preset mini --data-dir "$data" --epochs 32 --score-epochs 1,2,4,8,16,32 \
  --archs-from "$pool" --seeds 0,1,2 "${rule[@]}" --out "$state/$run.zarr" --work "$state/$run.work" "$@"
