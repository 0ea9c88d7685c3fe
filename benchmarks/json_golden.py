"""Golden outputs: every statistic command with ``--json`` on every bundled dataset, written to a folder.

Run before and after a change that must not change any answer (a refactor), then ``diff -r`` the two folders:

    python benchmarks/json_golden.py /tmp/golden-before      # on the untouched code
    python benchmarks/json_golden.py /tmp/golden-after       # after the change
    diff -r /tmp/golden-before /tmp/golden-after

Each command runs as the real console script (``python -m wsbench``, a fresh process, so warnings and exit codes
are what a user sees). Per command, ``<dataset>__<slug>.json`` holds stdout exactly and ``<dataset>__<slug>.meta``
the command line, the exit code and stderr. Commands a dataset cannot answer (``--score loss`` on a store
without ``supernet_loss``) are kept: their exit code and message are outputs too. No timings are written.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: (slug, arguments after the dataset): every statistic, its modes and the options that change how it computes
COMMANDS: list[tuple[str, list[str]]] = [
    # topk
    ("topk", ["topk"]),
    ("topk-k-many", ["topk", "--k", "1,5,10,1%,10%,50%"]),
    ("topk-epoch-all", ["topk", "--epoch", "all"]),
    ("topk-seed0-epoch-first", ["topk", "--seed", "0", "--epoch", "1"]),
    ("topk-samples-trials", ["topk", "--samples", "100", "--trials", "20", "--rng-seed", "3"]),
    ("topk-trials-all", ["topk", "--trials", "5"]),
    ("topk-ci", ["topk", "--ci", "0.95", "--boot", "200"]),
    ("topk-ci-trials", ["topk", "--ci", "0.9", "--samples", "100", "--trials", "30"]),
    ("topk-ties-store", ["topk", "--ties", "store"]),
    ("topk-ties-store-ci", ["topk", "--ties", "store", "--ci", "0.95", "--boot", "50"]),
    ("topk-score-loss", ["topk", "--score", "loss"]),
    ("topk-score-params", ["topk", "--score", "params"]),
    ("topk-score-proxy", ["topk", "--score", "proxy:synflow"]),
    ("topk-gt-per-seed", ["topk", "--gt", "gt_score_per_seed"]),
    ("topk-bad-k", ["topk", "--k", "0"]),
    ("topk-bad-ties", ["topk", "--ties", "coin"]),
    ("topk-bad-epoch", ["topk", "--epoch", "999"]),
    ("topk-k-too-big", ["topk", "--k", "5000"]),
    # correlation
    ("correlation", ["correlation"]),
    ("correlation-epoch-all", ["correlation", "--epoch", "all"]),
    ("correlation-methods", ["correlation", "--method", "kendall,spearman,pearson"]),
    ("correlation-ci", ["correlation", "--ci", "0.95"]),
    ("correlation-ci-epoch-all", ["correlation", "--ci", "0.9", "--boot", "100", "--epoch", "all", "--rng-seed", "7"]),
    ("correlation-weighted", ["correlation", "--method", "weighted"]),
    ("correlation-weighted-gt", ["correlation", "--method", "weighted", "--weigh-by", "gt"]),
    ("correlation-weighted-supernet-ci", ["correlation", "--method", "weighted,kendall", "--weigh-by", "supernet",
                                          "--ci", "0.95", "--boot", "30"]),
    ("correlation-within-top", ["correlation", "--within-top", "10%"]),
    ("correlation-within-top-ci", ["correlation", "--within-top", "25%", "--ci", "0.95", "--boot", "100"]),
    ("correlation-gt-resolution", ["correlation", "--gt-resolution", "0.1"]),
    ("correlation-against-params", ["correlation", "--against", "params", "--epoch", "all"]),
    ("correlation-score-loss", ["correlation", "--score", "loss", "--epoch", "all"]),
    ("correlation-score-proxy", ["correlation", "--score", "proxy:synflow"]),
    ("correlation-seed0", ["correlation", "--seed", "0", "--method", "spearman"]),
    ("correlation-bad-method", ["correlation", "--method", "kendal"]),
    ("correlation-bad-within", ["correlation", "--within-top", "10"]),
    ("correlation-bad-seed", ["correlation", "--seed", "0,0"]),
    # bias
    ("bias-params", ["bias", "--by", "params"]),
    ("bias-params-epoch-all", ["bias", "--by", "params", "--epoch", "all"]),
    ("bias-params-ci", ["bias", "--by", "params", "--ci", "0.95", "--boot", "200"]),
    ("bias-params-score-loss", ["bias", "--by", "params", "--score", "loss"]),
    ("bias-operator", ["bias", "--by", "operator"]),
    ("bias-operator-epoch-all", ["bias", "--by", "operator", "--epoch", "all", "--top", "20%", "--flag", "5"]),
    ("bias-operator-ci", ["bias", "--by", "operator", "--ci", "0.95", "--boot", "100"]),
    ("bias-operator-ties-store", ["bias", "--by", "operator", "--ties", "store"]),
    ("bias-operator-score-params", ["bias", "--by", "operator", "--score", "params", "--flag", "0"]),
    ("bias-bad-top", ["bias", "--by", "params", "--top", "200%"]),
    # prune
    ("prune", ["prune"]),
    ("prune-optimistic-epoch-all", ["prune", "--mode", "optimistic", "--epoch", "all", "--factor", "0,0.5,0.9"]),
    ("prune-random", ["prune", "--mode", "random"]),
    ("prune-random-trials", ["prune", "--mode", "random", "--trials", "5", "--rng-seed", "2", "--k", "10"]),
    ("prune-random-one-trial", ["prune", "--mode", "random", "--trials", "1", "--factor", "0.3"]),
    ("prune-ties-store", ["prune", "--ties", "store", "--k", "5%"]),
    ("prune-score-loss", ["prune", "--score", "loss"]),
    ("prune-retrained", ["prune", "--source", "retrained"]),
    ("prune-bad-factor", ["prune", "--factor", "0.5,1"]),
    # stability
    ("stability", ["stability"]),
    ("stability-spearman", ["stability", "--method", "spearman", "--epoch", "1,4,32"]),
    ("stability-seed0", ["stability", "--seed", "0"]),
    ("stability-score-loss", ["stability", "--score", "loss"]),
    ("stability-two-methods", ["stability", "--method", "kendall,spearman"]),
    # bootstrap-heavy statistics (issue 24): every correlation method through the resampling kernels
    ("correlation-ci-pearson", ["correlation", "--method", "pearson,kendall", "--ci", "0.9", "--boot", "300"]),
    ("correlation-ci-dedupe", ["correlation", "--dedupe", "--ci", "0.95", "--boot", "200"]),
    ("correlation-ceiling-ci", ["correlation", "--ceiling", "--ci", "0.95", "--boot", "200"]),
    ("correlation-ci-score-params", ["correlation", "--score", "params", "--ci", "0.95", "--boot", "200"]),
    ("paired-epochs", ["paired", "--a", "epoch=1", "--b", "epoch=last"]),
    ("paired-epochs-bootstrap", ["paired", "--a", "epoch=1", "--b", "epoch=last", "--interval", "bootstrap"]),
    ("paired-epochs-subnets-only", ["paired", "--a", "epoch=16", "--b", "epoch=32", "--subnets-only",
                                    "--interval", "bootstrap", "--rng-seed", "4"]),
    ("paired-scores", ["paired", "--a", "score=params", "--b", "score=supernet", "--interval", "bootstrap",
                       "--boot", "300"]),
    ("paired-pairs", ["paired", "--a", "against=params", "--b", "against=gt_score", "--interval", "bootstrap",
                      "--boot", "300"]),
    ("paired-spearman", ["paired", "--a", "epoch=4", "--b", "epoch=last", "--method", "spearman", "--interval",
                         "bootstrap", "--boot", "300"]),
    ("paired-pearson-seed0", ["paired", "--a", "epoch=4", "--b", "epoch=last", "--method", "pearson", "--seed", "0",
                              "--interval", "bootstrap", "--boot", "300"]),
    ("paired-dedupe", ["paired", "--a", "epoch=8", "--b", "epoch=last", "--dedupe", "--interval", "bootstrap",
                       "--boot", "300"]),
    ("gt-noise", ["gt-noise"]),
    ("gt-noise-pairings", ["gt-noise", "--pairings", "3", "--method", "spearman", "--boot", "300"]),
    ("bottom-top", ["bottom-top"]),
    ("bottom-top-ci", ["bottom-top", "--ci", "0.95", "--boot", "300"]),
    ("bottom-top-estimator-ci", ["bottom-top", "--within-by", "estimator", "--rounding", "floor", "--ci", "0.9",
                                 "--boot", "200", "--epoch", "all"]),
    ("mean-score", ["mean-score"]),
]


def datasets() -> list[str]:
    out = subprocess.run([sys.executable, "-m", "wsbench", "list", "--json"], capture_output=True, text=True,
                         check=True)
    return [d["name"] for d in json.loads(out.stdout) if d["where"] == "bundled"]


def run_one(dataset: str, slug: str, args: list[str], folder: Path) -> int:
    argv = [sys.executable, "-m", "wsbench", args[0], "--space", dataset, *args[1:], "--json"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    (folder / f"{dataset}__{slug}.json").write_text(p.stdout)
    shown = ["wsbench", *argv[3:]]
    (folder / f"{dataset}__{slug}.meta").write_text(f"argv: {' '.join(shown)}\nexit: {p.returncode}\n"
                                                    f"stderr:\n{p.stderr}")
    return p.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="where to write the outputs (created; must be empty or absent)")
    ap.add_argument("--jobs", type=int, default=2, help="commands run at once")
    ap.add_argument("--only", default=None, help="comma list of datasets (default: every bundled one)")
    a = ap.parse_args()
    a.folder.mkdir(parents=True, exist_ok=True)
    if any(a.folder.iterdir()):
        sys.exit(f"{a.folder} is not empty; give a new folder so old outputs never mix with new ones")
    names = a.only.split(",") if a.only else datasets()
    jobs = [(d, slug, args) for d in names for slug, args in COMMANDS]
    with ThreadPoolExecutor(a.jobs) as pool:
        codes = list(pool.map(lambda j: run_one(*j, a.folder), jobs))
    by_code: dict[int, int] = {}
    for c in codes:
        by_code[c] = by_code.get(c, 0) + 1
    print(f"{len(jobs)} commands ({len(names)} datasets x {len(COMMANDS)}) -> {a.folder}; exit codes: "
          + ", ".join(f"{c}: {n}" for c, n in sorted(by_code.items())))


if __name__ == "__main__":
    main()
