#!/usr/bin/env bash
# Carry the v2.0 build across sessions: `save.sh STATE` writes every started run's checkpoints + scores to
# results/nb201-cifar10-v2/checkpoints/RUN/seed<S>.pt.gz (commit them); `save.sh STATE restore DATA` recreates
# each run's store (--create-only) and puts the committed ones back, on a new machine.
set -euo pipefail
state="$(realpath "$1")"; mode="${2:-save}"; data="${3:+$(realpath "$3")}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."                                   # python -m builders runs from the repository's root
py="${PYTHON:-python}"
for r in $("$here/build.sh" - - list); do
  dir="$here/checkpoints/$r"
  if [ "$mode" = save ]; then
    ls "$state/$r.work"/seed*.ckpt >/dev/null 2>&1 || continue   # not started
    "$py" -m builders checkpoint save --store "$state/$r.zarr" --work "$state/$r.work" --dir "$dir"
  elif [ "$mode" = restore ]; then
    [ -d "$state/$r.zarr" ] || "$here/build.sh" "$data" "$state" "$r" --create-only >/dev/null
    ls "$dir"/seed*.pt.gz >/dev/null 2>&1 || continue
    "$py" -m builders checkpoint restore --store "$state/$r.zarr" --work "$state/$r.work" --dir "$dir"
  else echo "error: mode must be save or restore, got '$mode'" >&2; exit 1; fi
done
