"""Human output of results as rich tables (``--json`` bypasses this)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from wsbench.result import fmt, fmt_pm

MAX_ROWS = 40


def table(title: str, rows: list[dict[str, Any]]) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold")
    cols = list(rows[0]) if rows else []
    for c in cols:
        t.add_column(c, justify="right" if rows and isinstance(rows[0][c], (int, float)) else "left", overflow="fold")
    for r in rows[:MAX_ROWS]:
        t.add_row(*(fmt(r.get(c)) for c in cols))
    if len(rows) > MAX_ROWS:
        t.caption = f"{len(rows) - MAX_ROWS} more rows: use --json for all"
    return t


def merge_mean_std(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Show ``x_mean`` and ``x_std`` as one ``x`` column holding 'mean ± std'."""
    out = []
    for r in rows:
        m: dict[str, Any] = {}
        for key, v in r.items():
            if key.endswith("_mean") and f"{key[:-5]}_std" in r:
                m[key[:-5]] = fmt_pm(v, r[key[:-5] + "_std"])
            elif not (key.endswith("_std") and f"{key[:-4]}_mean" in r):
                m[key] = v
        out.append(m)
    return out


def show(result: Any, console: Console) -> None:
    """Summary table (mean ± std over seeds) if there is one, else the rows; then the notes."""
    opts = ", ".join(f"{k}={v}" for k, v in result.options.items())
    console.print(f"[bold]{result.stat}[/bold] of [bold]{result.dataset}[/bold]  ({opts})", soft_wrap=True)
    if result.summary:
        title = "summary (mean ± std over seeds)" if "seed" in result.options else "summary"
        t = table(title, merge_mean_std(result.summary))
        if result.rows and result.stat != "info":
            t.caption = f"{len(result.rows)} per-seed rows: add --json"
        console.print(t)
        if result.stat == "info":  # its rows are the variables: what a reader looks for first
            console.print(table("variables", result.rows))
    else:
        console.print(table("rows", result.rows))
    for n in result.notes:
        console.print(f"[dim]note: {n}[/dim]")
