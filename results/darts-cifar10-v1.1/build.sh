#!/usr/bin/env bash
# darts-cifar10 v1.1 (issue 30 item 4): v1.0's build exactly (docs/datasets/darts-cifar10.meta.toml [builder]),
# except that each supernet epoch trains on all 45,000 non-held-out training images (--train-size 45000, the other
# CIFAR-10 datasets' budget) instead of the mini preset's 10,000. Unchanged: --preset mini (DARTS search network
# C=8, 5 cells, 16x16, batch 64, SGD nesterov lr 0.05 cosine to 0, wd 3e-4), 32 epochs, the same 5,000 held-out
# images (split seed 0) of which the first 1,000 score, BN recalibrated on 10 batches, scored after 1, 2, 4, 8, 16,
# 32, supernet_loss recorded, supernet seeds 0, 1, 2, the same 500 NAS-Bench-301 genotypes (nb301_500.txt from
# NASLib's zc_nasbench301.json: same name and sha256 as v1.0's, checked here) and the same surrogate GT + proxies.
#   results/darts-cifar10-v1.1/build.sh DATA STATE --create-only       once: STATE/nb301_500.txt, the store, sizes
#   results/darts-cifar10-v1.1/build.sh DATA STATE --only-seeds 0      one 1-thread process per seed (0, 1, 2)
#   results/darts-cifar10-v1.1/build.sh DATA STATE gt                  after all seeds: surrogate GT + proxies
# DATA holds cifar-10-batches-bin/; STATE (outside the work tree) holds STATE/darts-cifar10-1.1.zarr, its work
# folder STATE/darts-cifar10-1.1.work and STATE/nb301_500.txt. NB301 = NASLib's zc_nasbench301.json (default
# ../shared/data/gt/naslib/ beside the repository). Resumable: rerun the same command (a killed seed continues from
# its last epoch's checkpoint); extra build options pass through (e.g. --stop-after-epochs 1 for a pilot).
set -euo pipefail
data="$1"; state="$2"; shift 2
here="$(cd "$(dirname "$0")" && pwd)"
nb301="${NB301:-$here/../../../shared/data/gt/naslib/zc_nasbench301.json}"
py="${PYTHON:-python}"
store="$state/darts-cifar10-1.1.zarr"
archs="$state/nb301_500.txt"
v10_archs_sha256=cab0a9be1a50d0f83acaa46a316e5b8f755826086eacc65f447961126234d058  # v1.0's sampler.archs_file_sha256
if [ "${1:-}" = gt ]; then
  exec "$py" -m builders import-gt naslib-zc "$nb301" --space darts --store "$store"
fi
mkdir -p "$state"
if [ ! -f "$archs" ]; then
  "$py" -m builders import-gt naslib-zc "$nb301" --space darts --write-archs "$archs.part" > /dev/null
  mv "$archs.part" "$archs"
fi
got="$(sha256sum "$archs" | cut -d' ' -f1)"
if [ "$got" != "$v10_archs_sha256" ]; then
  echo "error: $archs has sha256 $got, expected v1.0's $v10_archs_sha256; delete it and check NB301=$nb301" >&2
  exit 1
fi
exec "$py" -m builders build darts --preset mini --data-dir "$data" --epochs 32 --score-epochs 1,2,4,8,16,32 \
  --archs-from "$archs" --seeds 0,1,2 --train-size 45000 --out "$store" --work "$state/darts-cifar10-1.1.work" "$@"
