#!/usr/bin/env bash
# Once every seed has scored epoch 30 and every fine-tune has finished (results/finetune_queue.sh): ground truth,
# validation, build time and the card's generated sections, in the order of README.md's "To finish the dataset".
# What is left by hand after it:
# the card's prose TODOs, then `python -m builders publish S --meta docs/datasets/di64-cifar10.meta.toml` and
# `git rm -r results/di64-cifar10/checkpoints`.
#   results/di64-cifar10/finish.sh S LOGS     (S: the store; LOGS: the folder of di64-seed*.log, di64-finetune.log)
set -euo pipefail
store="$(realpath "$1")"; logs="$(realpath "$2")"
cd "$(dirname "$0")/../.."
py="${PYTHON:-python}"
tmp="$(mktemp -d)"
"$py" results/di64-cifar10/gt_table.py ../shared/data/gt/deeper-insights-64 "$tmp/gt.csv"
"$py" -m builders import-gt table "$tmp/gt.csv" --space di64 --arch-col arch --mean-col mean --std-col std \
  --metric accuracy --unit fraction --store "$store"
wsbench validate "$store"
"$py" results/nb201-cifar10-paper/build_time.py "$logs"
"$py" benchmarks/card_report.py di64-cifar10 --store "$store"
"$py" benchmarks/dataset_report.py di64-cifar10 --card --store "$store"
grep -n "TODO(new-space)" docs/datasets/di64-cifar10.md || true
