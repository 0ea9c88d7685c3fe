"""``wsbench report``: the seed study's questions for one dataset, as figures with one measured finding each.

Every number comes from the same :class:`wsbench.benchmark.Benchmark` methods
as the CLI statistics. HTML is one self-contained file (PNG figures embedded as
data URIs); Markdown is a ``.md`` with its PNGs beside it. Files are written to
a temporary name and renamed, so an existing page is replaced whole or not at all.
matplotlib (the ``plot`` extra) is imported only here.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from wsbench.errors import OptionError

FORMATS = ("html", "md")


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise OptionError("wsbench report draws with matplotlib, which is not installed; "
                          "install it with: pip install 'wsbench[plot]'") from None


def build(space: str, epoch: Any = "all", seed: Any = "all") -> tuple[Any, list]:
    """(benchmark, sections with their PNGs) for ``space`` (a catalog name or a store path)."""
    _require_matplotlib()
    import wsbench
    from wsbench.report import figures
    from wsbench.report.sections import all_sections
    from wsbench.stats.bootstrap import memoized

    b = wsbench.open(space)
    epochs, seeds = b._epochs(epoch), b._seeds(seed)
    with memoized():  # the last epoch's tau draws serve its interval, the paired tests and the ceiling
        sections = all_sections(b, epochs, seeds)
    for sec in sections:
        if sec.skipped is None:
            sec.png = figures.DRAW[sec.key](sec)
    return b, sections


def provenance(b) -> list[tuple[str, str]]:
    """(label, text) pairs describing how the dataset was made, from the store's attributes."""
    a = b.attrs

    def short(v: Any, n: int = 300) -> str:
        text = v if isinstance(v, str) else ", ".join(f"{k}: {x}" for k, x in v.items()) if isinstance(v, dict) else str(v)
        return text if len(text) <= n else text[: n - 1] + "…"

    rows = [("name", b.name), ("space", str(a.get("space"))),
            ("scale", f"{b.n_archs} subnets × epochs {b.epochs} × seeds {b.seeds}; preset {a.get('scale_preset')!r}"),
            ("metric", f"{b.metric} ({'higher' if b.direction == 'max' else 'lower'} is better)")]
    for key in ("dataset", "gt_source", "gt_noise", "supernet_recipe", "evaluation_protocol", "license", "citation"):
        if key in a:
            rows.append((key.replace("_", " "), short(a[key])))
    return rows


def _atomic_write(path: Path, data: bytes) -> None:
    import errno

    from wsbench.atomic import write_atomic

    try:
        write_atomic(path, data)
    except OSError as e:  # the place the user chose: a user error with the fix, not a wsbench bug
        why = ("the disk is full: free space there or" if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1))
               else "give")
        raise OptionError(f"cannot write {path} ({e.strerror}); nothing was left under that name; {why} "
                          "--out in a folder that exists and that you can write to") from None


def render_html(title: str, prov: list[tuple[str, str]], sections: list) -> str:
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
             "img{max-width:100%}.finding{font-weight:bold}.caption{color:#555;font-size:90%}"
             "table{border-collapse:collapse}td{border-top:1px solid #ddd;padding:2px 8px;vertical-align:top}"
             ".skipped{color:#a00}")
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'>",
             f"<title>wsbench report: {html.escape(title)}</title>", f"<style>{style}</style></head><body>",
             f"<h1>wsbench report: {html.escape(title)}</h1>", "<h2>Provenance</h2><table>"]
    parts += [f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in prov]
    parts.append("</table>")
    for sec in sections:
        parts.append(f"<h2 id='{sec.key}'>{html.escape(sec.title)}</h2>")
        if sec.skipped:
            parts.append(f"<p class='skipped'>Skipped: {html.escape(sec.skipped)}</p>")
            continue
        parts.append(f"<p class='finding'>{html.escape(sec.finding)}</p>")
        data = base64.b64encode(sec.png).decode()
        parts.append(f"<img alt='{html.escape(sec.title)}' src='data:image/png;base64,{data}'>")
        parts.append(f"<p class='caption'>{html.escape(sec.caption)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_md(title: str, prov: list[tuple[str, str]], sections: list, stem: str) -> tuple[str, dict[str, bytes]]:
    """(Markdown text, {png file name: bytes}) with the PNGs named ``<stem>-<section>.png``.

    Every piece of text is escaped (:mod:`wsbench.escape`): names, attributes, findings and skip reasons carry
    data, so none of it may become HTML, a link, an image, a heading or a table cell.
    """
    from wsbench.escape import md_link_target, md_prose, md_text

    lines = [f"# wsbench report: {md_text(title)}", "", "| | |", "|---|---|"]
    lines += [f"| {md_text(k)} | {md_text(v)} |" for k, v in prov]
    pngs = {}
    for sec in sections:
        lines += ["", f"## {md_text(sec.title)}", ""]
        if sec.skipped:
            lines.append(f"Skipped: {md_text(sec.skipped)}")
            continue
        name = f"{stem}-{sec.key}.png"
        pngs[name] = sec.png
        lines += [f"**{md_text(sec.finding)}**", "", f"![{md_text(sec.title)}]({md_link_target(name)})", "",
                  f"*{md_prose(sec.caption)}*"]
    return "\n".join(lines) + "\n", pngs


def write(space: str | None, out: str | Path | None = None, fmt: str = "html", epoch: Any = "all",
          seed: Any = "all", compare: str | list[str] | None = None) -> dict[str, Any]:
    """Build the report of ``space`` (or the comparison of the datasets in ``compare``) and write it; returns
    what was written."""
    if fmt not in FORMATS:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("report format", fmt, FORMATS)
    if (space is None) == (compare is None):
        raise OptionError("give one dataset (SPACE) or --compare A,B,…, not both and not neither")
    if compare is not None:
        from wsbench.report.compare import build_compare

        names = [c.strip() for c in compare.split(",")] if isinstance(compare, str) else list(compare)
        title, prov, sections = build_compare(names)
        stem = "compare-" + "-".join(Path(n).stem for n in names)
    else:
        b, sections = build(space, epoch, seed)
        title, prov, stem = b.name, provenance(b), Path(b.name).stem
    out = Path(out) if out else Path(f"{stem}-report.{fmt}")
    if out.is_dir():
        raise OptionError(f"--out {out} is a folder; give a file name such as {out / ('report.' + fmt)}")
    written = []
    if fmt == "html":
        _atomic_write(out, render_html(title, prov, sections).encode())
    else:
        text, pngs = render_md(title, prov, sections, out.stem)
        for name, png in pngs.items():
            _atomic_write(out.parent / name, png)
            written.append(str(out.parent / name))
        _atomic_write(out, text.encode())
    written.insert(0, str(out))
    return {"dataset": title, "format": fmt, "written": written,
            "sections": {s.key: ("skipped: " + s.skipped) if s.skipped else s.finding for s in sections}}
