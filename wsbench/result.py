"""The object every statistic returns: explicit options, tidy rows, a summary, notes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def json_safe(x: Any) -> Any:
    """NaN/inf -> None, NumPy scalars/arrays -> Python, tuples -> lists (so json.dumps never fails)."""
    if isinstance(x, dict):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    if isinstance(x, np.ndarray):
        return json_safe(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


@dataclass(frozen=True)
class Result:
    """One answer: ``rows`` (one per seed/epoch/... unit), ``summary`` (aggregated over seeds), ``notes``.

    ``options`` holds every option as resolved, defaults included, so a result
    says exactly how it was computed.
    """

    stat: str
    dataset: str
    options: dict[str, Any]
    rows: list[dict[str, Any]]
    summary: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"stat": self.stat, "dataset": self.dataset, "options": self.options,
                          "summary": self.summary, "rows": self.rows, "notes": self.notes})

    def to_dataframe(self, part: str = "rows"):  # -> pandas.DataFrame (pandas comes with xarray)
        """``rows`` (default) or ``summary`` as a pandas DataFrame."""
        import pandas as pd

        if part not in ("rows", "summary"):
            raise ValueError(f"part must be 'rows' or 'summary', got {part!r}")
        return pd.DataFrame(getattr(self, part))

    def __repr__(self) -> str:
        table = self.summary or self.rows
        head = f"<Result {self.stat} of {self.dataset}: {len(self.rows)} rows>"
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return "\n".join([head, f"options: {opts}", format_table(table, limit=20), *(f"note: {n}" for n in self.notes)])


def fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(v):
            return "—"
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:.3e}"
    return str(v)


def fmt_column(values: list[Any]) -> list[str]:
    """A column's cells: a column of plain floats gets one number of decimals, so its points line up and equal
    precision reads as equal (93.9 above 93.73 suggests the first is less precise): the most that :func:`fmt`
    shows for any of its values, so no cell shows fewer digits than fmt gives it, at most 6. Anything else
    (integers, text, mixed columns, values fmt writes with an exponent) is :func:`fmt` per cell."""
    plain = all(isinstance(v, (float, np.floating)) or v is None for v in values)
    finite = [float(v) for v in values if isinstance(v, (float, np.floating)) and math.isfinite(v)]
    if not plain or not finite:
        return [fmt(v) for v in values]
    shown = [fmt(v) for v in finite]
    if any("e" in x for x in shown):
        return [fmt(v) for v in values]
    places = max(len(x.partition(".")[2]) for x in shown)
    if places > 6:
        return [fmt(v) for v in values]
    return [fmt(v) if v is None or not math.isfinite(v) else f"{v:.{places}f}" for v in values]


def fmt_pm(mean: Any, std: Any) -> str:
    """'mean ± std' rounded as a reader expects: std to 2 significant digits, the mean to the same decimal place;
    a std that is only float noise shows as 0, a missing one is left out."""
    if not isinstance(std, (float, np.floating, int)) or not math.isfinite(std):
        return fmt(mean)
    if not isinstance(mean, (float, np.floating, int)) or not math.isfinite(mean):
        return f"{fmt(mean)} ± {fmt(std)}"
    if abs(std) <= 1e-9 * max(1.0, abs(mean)):
        return f"{fmt(mean)} ± 0"
    decimals = min(6, max(0, 1 - math.floor(math.log10(abs(std)))))
    return f"{mean:.{decimals}f} ± {std:.{decimals}f}"


def format_table(rows: list[dict[str, Any]], limit: int | None = None) -> str:
    if not rows:
        return "(no rows)"
    cols = list(rows[0])
    shown = rows if limit is None else rows[:limit]
    columns = [fmt_column([r.get(c) for r in shown]) for c in cols]
    cells = [[columns[i][j] for i in range(len(cols))] for j in range(len(shown))]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths))]
    lines += ["  ".join(x.ljust(w) for x, w in zip(row, widths)) for row in cells]
    if limit is not None and len(rows) > limit:
        lines.append(f"… {len(rows) - limit} more rows")
    return "\n".join(lines)
