"""The supernet's sampler over an allowed set: supernets trained on a pruned space (issue 30).

A plain build draws each training step's architecture uniformly from the whole
space (``space.draw``). With an allowed set it draws uniformly from that set
(``rng.integers(len(allowed))`` on the same ``default_rng([seed, 1])``), and
scores only the store's subnets that are in it (the others stay NaN). The set
comes from a list (a .txt, one architecture per line, or a store's pool) or
from a pruning rule applied to a pool store (e.g. a dataset's 1,000 cells):

* ``optimistic``: remove the worst ``round(f n)`` by the pool's ground truth
  (among equal GT the lower store index first: ``wsbench.stats.prune.remaining``);
* ``random``: remove a random ``round(f n)``, ``numpy.random.default_rng(rule_seed).permutation``;
* ``supernet``: remove the worst ``round(f n)`` by a full-space supernet's score
  (a store, an epoch, a seed; ties as optimistic: the lower store index first).

:func:`resolve` checks everything before a build writes anything and returns
an :class:`Allowed` whose ``record`` (JSON) is stored in the store's
``sampler`` and ``supernet_recipe`` attributes and in every checkpoint, so a
build resumed with another rule is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wsbench.errors import OptionError, WsbenchError

RULES = ("optimistic", "random", "supernet")


@dataclass(frozen=True)
class Allowed:
    """Canonical strings of the allowed architectures (sorted, distinct) and the record of how they were chosen."""

    archs: tuple[str, ...]
    record: dict[str, Any]

    def draw_from(self, space):
        """A drawer for the build's training steps: ``draw(rng)`` -> one parsed allowed architecture, uniformly."""
        parsed = [space.parse(a) for a in self.archs]
        return lambda rng: parsed[int(rng.integers(len(parsed)))]


def list_sha256(archs: Sequence[str]) -> str:
    """sha256 of the architectures, one per line (newline-terminated): the identity of an architecture list."""
    return hashlib.sha256("".join(a + "\n" for a in archs).encode()).hexdigest()


def _values_sha256(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values, dtype="<f8").tobytes()).hexdigest()


def _source(path: str) -> dict[str, Any]:
    """What identifies a source store or file: its name, and its sha256 where it is one file (a zip, a .txt)."""
    p = Path(path)
    out: dict[str, Any] = {"name": p.name}
    if p.is_file():
        from builders.core.files import sha256_file

        out["sha256"] = sha256_file(p)
    return out


def _open(path: str, what: str):
    from wsbench.store import open_store

    try:
        return open_store(path, allow_incomplete=True)
    except WsbenchError as e:
        raise OptionError(f"{what} {path}: cannot be read as a store ({str(e)[:200]})") from None


def _canonical(space, archs: Sequence[str], where: str) -> list[str]:
    """Canonical strings; an architecture outside the space or one listed twice is refused (one line)."""
    out, seen = [], {}
    for i, a in enumerate(archs):
        try:
            c = space.canonicalize(a)
        except WsbenchError as e:
            raise OptionError(f"{where}: line {i + 1} ({str(a)[:80]!r}) is not a {space.name} architecture "
                              f"({str(e)[:120]}); list architectures of the build's space") from None
        if c in seen:
            raise OptionError(f"{where}: lines {seen[c] + 1} and {i + 1} are the same architecture ({c!r}); list each "
                              "architecture once (the sampler draws uniformly from the set)")
        seen[c] = i
        out.append(c)
    return out


def _pool(space, path: str) -> tuple[list[str], Any]:
    """The pool's canonical architectures and its dataset (None for a .txt list)."""
    if Path(path).suffix == ".txt":
        if not Path(path).is_file():
            raise OptionError(f"{path}: no such file (a .txt, one architecture per line, or a store)")
        lines = [ln.strip() for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.strip()]
        return _canonical(space, lines, path), None
    ds = _open(path, "pool")
    if ds.attrs.get("space") != space.name:
        raise OptionError(f"{path} is a {ds.attrs.get('space')} store, the build is {space.name}; use a pool of "
                          "the build's space")
    return _canonical(space, [str(a) for a in ds["arch_string"].values], path), ds


def _goodness(values: np.ndarray, direction: str) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    return v if direction == "max" else -v


def resolve(space_name: str, *, allowed_from: str | None = None, rule: str | None = None,
            factor: float | None = None, pool: str | None = None, rule_seed: int | None = None,
            score_store: str | None = None, score_epoch: int | None = None,
            score_seed: int | None = None) -> Allowed | None:
    """The allowed set of a build (None: the whole space), every input checked first.

    ``allowed_from``: a .txt list or a store (its pool). Or ``rule`` (RULES) with ``factor`` in [0, 1) applied to
    ``pool`` (a store; a .txt for ``random``); ``rule_seed`` for random; ``score_store`` (default ``pool``),
    ``score_epoch`` and ``score_seed`` for supernet.
    """
    from wsbench.spaces import get_space

    space = get_space(space_name)
    if allowed_from is not None and rule is not None:
        raise OptionError("give --allowed-from (a list) or --prune-rule (a rule), not both")
    if allowed_from is not None:
        archs, ds = _pool(space, allowed_from)
        record: dict[str, Any] = {"mode": "list", "source": _source(allowed_from),
                                  "source_kind": "text file" if ds is None else "store pool"}
    elif rule is None:
        for name, v in (("--prune-factor", factor), ("--prune-seed", rule_seed), ("--prune-score", score_store),
                        ("--prune-score-epoch", score_epoch), ("--prune-score-seed", score_seed)):
            if v is not None:
                raise OptionError(f"{name} belongs to a pruning rule: add --prune-rule {'|'.join(RULES)}")
        return None
    else:
        archs, record = _by_rule(space, rule, factor, pool, rule_seed, score_store, score_epoch, score_seed)
    if not archs:
        raise OptionError(f"the allowed set is empty ({record['mode']}): a supernet needs at least one architecture "
                          "to train; keep some (a smaller --prune-factor, a non-empty list)")
    archs = sorted(archs)
    record.update(allowed=len(archs), allowed_sha256=list_sha256(archs),
                  draw="numpy.random.default_rng([seed, 1]).integers(len(allowed)) per step over the allowed "
                       "architectures sorted by canonical string")
    return Allowed(tuple(archs), record)


def _by_rule(space, rule: str, factor, pool, rule_seed, score_store, score_epoch, score_seed
             ) -> tuple[list[str], dict[str, Any]]:
    from wsbench.stats.prune import remaining

    if rule not in RULES:
        raise OptionError(f"--prune-rule must be one of {list(RULES)}, got {rule!r}")
    if not isinstance(factor, float | int) or isinstance(factor, bool) or not 0 <= factor < 1:
        raise OptionError(f"--prune-factor must be a fraction in [0, 1) of the pool removed, got {factor!r}")
    if pool is None:
        raise OptionError(f"--prune-rule {rule} needs the pool it prunes: --archs-from STORE (e.g. the dataset's "
                          "1,000-cell pool)")
    for name, v, needed in (("--prune-seed", rule_seed, rule == "random"),
                            ("--prune-score-epoch", score_epoch, rule == "supernet"),
                            ("--prune-score-seed", score_seed, rule == "supernet")):
        if needed and v is None:
            raise OptionError(f"--prune-rule {rule} needs {name} (no hidden default: it is part of the rule)")
        if not needed and v is not None:
            raise OptionError(f"{name} does not apply to --prune-rule {rule}")
    if score_store is not None and rule != "supernet":
        raise OptionError(f"--prune-score does not apply to --prune-rule {rule}")
    archs, ds = _pool(space, pool)
    n = len(archs)
    drop = round(factor * n)
    record: dict[str, Any] = {"mode": rule, "factor": float(factor), "pool": {**_source(pool), "archs": n,
                                                                             "archs_sha256": list_sha256(archs)},
                              "removed": drop}
    if rule == "random":
        keep = remaining(np.zeros(n), factor, "random", np.random.default_rng(rule_seed))
        record["rule_seed"] = int(rule_seed)
        record["rule"] = ("kept = sort(numpy.random.default_rng(rule_seed).permutation(n)[round(factor n):]) over "
                          "the pool in store order")
        return [archs[i] for i in keep], record
    if ds is None:
        raise OptionError(f"--prune-rule {rule} needs a pool store with "
                          f"{'ground truth' if rule == 'optimistic' else 'its architectures'}, not the list {pool}")
    if rule == "optimistic":
        g = _goodness(ds["gt_score"].values, ds.attrs.get("metric_direction", "max"))
        what = f"{Path(pool).name} gt_score"
    else:
        src = score_store or pool
        g = _supernet_goodness(space, src, archs, score_epoch, score_seed)
        what = f"{Path(src).name} supernet_score at epoch {score_epoch}, seed {score_seed}"
        record["score"] = {**_source(src), "variable": "supernet_score", "epoch": int(score_epoch),
                           "seed": int(score_seed)}
    missing = int(np.isnan(g).sum())
    if missing:
        raise OptionError(f"{what} is unknown (NaN) for {missing} of the {n} pool subnets; a {rule} rule ranks "
                          "every one: use a pool where every subnet has it")
    record["values_sha256"] = _values_sha256(g)
    record["rule"] = ("kept = the pool minus its worst round(factor n) by "
                      + ("ground-truth goodness" if rule == "optimistic" else "the supernet's goodness")
                      + " (stable: among equal values the lower store index is removed first)")
    keep = remaining(g, factor, "optimistic")
    return [archs[i] for i in keep], record


def _supernet_goodness(space, path: str, archs: list[str], epoch, seed) -> np.ndarray:
    """The full-space supernet's goodness of each pool architecture at (seed, epoch), aligned by canonical string."""
    ds = _open(path, "--prune-score")
    if "prune" in ds.sizes:
        raise OptionError(f"--prune-score {path} holds supernets retrained on pruned spaces; give a full-space "
                          "supernet's store")
    seeds, epochs = [int(s) for s in ds["seed"].values], [int(e) for e in ds["epoch"].values]
    if seed not in seeds or epoch not in epochs:
        raise OptionError(f"--prune-score {path} has seeds {seeds} and epochs {epochs}; asked for seed {seed}, "
                          f"epoch {epoch}")
    where = {space.canonicalize(str(a)): i for i, a in enumerate(ds["arch_string"].values)}
    lacking = [a for a in archs if a not in where]
    if lacking:
        raise OptionError(f"--prune-score {path} lacks {len(lacking)} of the pool's architectures (e.g. "
                          f"{lacking[0]!r}); score the same pool")
    row = ds["supernet_score"].values[seeds.index(seed), epochs.index(epoch)]
    return _goodness(row[[where[a] for a in archs]], ds.attrs.get("metric_direction", "max"))
