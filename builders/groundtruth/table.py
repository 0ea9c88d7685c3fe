"""Ground truth from a plain table: one row per architecture, a mean, optionally a std and per-training values.

For spaces whose authors publish a table rather than a benchmark file (e.g. *Deeper Insights into Weight
Sharing*: a mean and a std per architecture). CSV, TSV (by suffix) or JSON (a list of row objects, or an
object of equal-length column lists). Every problem of the table is found before anything is written:
unknown columns, architectures the space does not accept, two rows of one architecture, empty or
non-numeric cells, values outside the metric's range, and a declared unit the values contradict
(fractions declared as percent and the reverse) -- each refused with the row and the fix.

The store holds accuracy and error in percent (``docs/schema.md``); ``--unit fraction`` multiplies
the values (mean, std and runs) by 100. The per-architecture std goes to ``gt_score_std``; per-training
values (``--run-cols``) to ``gt_score_per_seed``, one GT seed per column, so the GT's own noise is measured.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from builders.groundtruth.record import GroundTruth, sha256_file
from wsbench.errors import OptionError
from wsbench.schema import METRICS

UNITS = ("percent", "fraction")
#: metrics the store keeps in percent: the unit must be declared, so 0.70 is never read as 0.7 %
PERCENT_METRICS = ("accuracy", "error")


def read_rows(path: str | Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(column names, rows as dicts) of a .csv, .tsv or .json table."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            with p.open(newline="", encoding="utf-8") as f:
                reader = csv.DictReader(f, delimiter="," if suffix == ".csv" else "\t")
                rows = list(reader)
                columns = list(reader.fieldnames or [])
        elif suffix == ".json":
            data = json.loads(p.read_text(encoding="utf-8"))
            if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
                lengths = {len(v) for v in data.values()}
                if len(lengths) > 1:
                    raise OptionError(f"{p}: the columns of a JSON column table must have one length, got "
                                      f"{sorted(lengths)}")
                columns = list(data)
                rows = [dict(zip(columns, vals, strict=True)) for vals in zip(*data.values(), strict=True)]
            elif isinstance(data, list) and all(isinstance(r, dict) for r in data):
                rows = data
                columns = list(dict.fromkeys(k for r in rows for k in r))
            else:
                raise OptionError(f"{p}: a JSON table is a list of row objects or an object of column lists")
        else:
            raise OptionError(f"{p}: a ground-truth table is .csv, .tsv or .json, got {suffix or 'no suffix'!r}")
    except OSError as e:
        raise OptionError(f"cannot read the table {p}: {e.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as e:
        raise OptionError(f"cannot parse the table {p}: {e}") from None
    if not rows:
        raise OptionError(f"{p} has no rows")
    return columns, rows


def _number(value: Any, row: int, col: str, *, required: bool) -> float:
    """A cell as float; an empty cell is NaN unless ``required``; anything else is one clear error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise OptionError(f"row {row}: column {col!r} is empty; every architecture needs a value there")
        return math.nan
    if isinstance(value, bool):
        raise OptionError(f"row {row}: column {col!r} holds {value!r}, not a number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise OptionError(f"row {row}: column {col!r} holds {str(value)[:40]!r}, not a number") from None
    if not math.isfinite(x):
        raise OptionError(f"row {row}: column {col!r} holds {value!r}; leave the cell empty for an unknown value")
    return x


def check_unit(metric: str, unit: str | None, values: np.ndarray, what: str) -> float:
    """The factor that takes ``values`` to the store's unit, or one error saying the unit contradicts them."""
    if metric in PERCENT_METRICS:
        if unit not in UNITS:
            raise OptionError(f"--unit must be one of {list(UNITS)} for {metric} (the store keeps percent), got {unit!r}")
        finite = values[np.isfinite(values)]
        if unit == "percent" and finite.size and finite.max() <= 1:
            raise OptionError(f"{what}: every value lies in [0, 1] (max {finite.max():g}), which reads as fractions, "
                              f"not percent; pass --unit fraction (values are multiplied by 100)")
        if unit == "fraction" and finite.size and finite.max() > 1:
            raise OptionError(f"{what}: values up to {finite.max():g} exceed 1, so they are not fractions; "
                              "pass --unit percent")
        return 100.0 if unit == "fraction" else 1.0
    if unit is not None:
        raise OptionError(f"--unit applies to {' and '.join(PERCENT_METRICS)} only; {metric} has no unit to declare")
    return 1.0


def load_table(path: str | Path, *, space: str, arch_col: str, mean_col: str | None = None,
               std_col: str | None = None, run_cols: list[str] | None = None, metric: str = "accuracy",
               unit: str | None = None) -> GroundTruth:
    """A GroundTruth from a table (see the module docstring); every problem raised before anything is written."""
    from wsbench.errors import InvalidArchError
    from wsbench.spaces import get_space

    run_cols = list(run_cols or [])
    if mean_col is None and not run_cols:
        raise OptionError("give --mean-col (the per-architecture mean) or --run-cols (per-training values), or both")
    if len(set(run_cols)) != len(run_cols):
        raise OptionError(f"--run-cols lists a column twice: {run_cols}")
    if metric not in METRICS:
        raise OptionError(f"--metric must be one of {sorted(METRICS)} (the store's metric), got {metric!r}")
    columns, rows = read_rows(path)
    wanted = [c for c in (arch_col, mean_col, std_col, *run_cols) if c is not None]
    unknown = [c for c in wanted if c not in columns]
    if unknown:
        raise OptionError(f"{Path(path).name} has no column {', '.join(map(repr, unknown))}; its columns: {columns}")
    sp = get_space(space)
    archs, means, stds, runs = [], [], [], []
    first_row: dict[str, int] = {}
    bad: list[str] = []
    for i, r in enumerate(rows, start=1):
        raw = r.get(arch_col)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise OptionError(f"row {i}: column {arch_col!r} is empty; every row names its architecture")
        try:
            a = sp.canonicalize(raw.strip() if isinstance(raw, str) else raw)
        except InvalidArchError as e:
            bad.append(f"row {i}: {e}")
            continue
        if a in first_row:
            raise OptionError(f"rows {first_row[a]} and {i} are one architecture ({a!r}); keep one row per "
                              "architecture")
        first_row[a] = i
        archs.append(a)
        run = [_number(r.get(c), i, c, required=False) for c in run_cols]
        if mean_col is not None:
            means.append(_number(r.get(mean_col), i, mean_col, required=True))
        else:
            if not any(math.isfinite(x) for x in run):
                raise OptionError(f"row {i}: every run column is empty; no ground truth for {a!r}")
            means.append(float(np.nanmean(run)))
        stds.append(_number(r.get(std_col), i, std_col, required=False) if std_col else math.nan)
        runs.append(run)
    if bad:
        raise OptionError(f"{len(bad)} row(s) name no {space} architecture: " + "; ".join(bad[:3]))
    mean = np.array(means, dtype=float)
    std = np.array(stds, dtype=float)
    run_arr = np.array(runs, dtype=float).reshape(len(archs), len(run_cols))
    factor = check_unit(metric, unit, mean, f"column {mean_col!r}" if mean_col else "the run columns")
    if run_cols:
        check_unit(metric, unit, run_arr, f"columns {run_cols}")
    if (std < 0).any():
        i = int(np.argmax(std < 0))
        raise OptionError(f"row {first_row[archs[i]]}: std {std[i]:g} is negative; a standard deviation is >= 0")
    mean, std, run_arr = mean * factor, std * factor, run_arr * factor
    _, lo, hi = METRICS[metric]
    for name, values in (("mean", mean), ("runs", run_arr)):
        finite = values[np.isfinite(values)]
        if finite.size and (finite.min() < lo or finite.max() > hi):
            raise OptionError(f"{name} values in {metric} ({'percent' if metric in PERCENT_METRICS else 'its unit'}) "
                              f"must lie in [{lo:g}, {hi:g}]; got [{finite.min():g}, {finite.max():g}] after --unit "
                              f"{unit}; check --metric, --unit and the column")
    if run_cols and mean_col is not None:
        with np.errstate(invalid="ignore"):
            outside = (mean < np.nanmin(run_arr, axis=1) - 1e-6) | (mean > np.nanmax(run_arr, axis=1) + 1e-6)
        if outside.any():
            i = int(np.argmax(outside))
            raise OptionError(f"row {first_row[archs[i]]}: the mean {mean[i]:g} lies outside its runs "
                              f"{run_arr[i].tolist()}; is --mean-col the mean of --run-cols?")
    source = {"kind": "table", "file": Path(path).name, "sha256": sha256_file(path), "arch_col": arch_col,
              "mean_col": mean_col, "std_col": std_col, "run_cols": run_cols, "metric": metric, "unit": unit,
              "converted": "values x 100 (fraction -> percent)" if factor != 1 else "none",
              "mean": f"column {mean_col!r}" if mean_col else "mean of the run columns"}
    scores = {a: run_arr[j] for j, a in enumerate(archs)}
    return GroundTruth(space=space, metric=metric, seeds=list(range(len(run_cols))), scores=scores, source=source,
                       reported_mean={a: float(mean[j]) for j, a in enumerate(archs)},
                       reported_std={a: float(std[j]) for j, a in enumerate(archs)} if std_col else {})
