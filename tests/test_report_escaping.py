"""`wsbench report --format md` on crafted stores (issue 28, item 3): everything from data is shown, none of it acts.

The page is rendered by a real Markdown parser (markdown-it-py, CommonMark + tables + strikethrough) and the HTML
it makes is parsed: only wsbench's own tags, headings, table rows and images; no raw HTML, no links, no
``javascript:``, no event handlers, whatever the store's attributes, decision names, proxy names or paths hold.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from factory import make_store

from wsbench.errors import SchemaError
from wsbench.report import write
from wsbench.report.sections import BUILDERS
from wsbench.store import StoreWriter

markdown_it = pytest.importorskip("markdown_it")
pytest.importorskip("matplotlib")

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[click me](javascript:alert(1))"
TRACKER = "![t](https://tracker.example/pixel.png)"
HEADING = "line one\n# injected heading\n\n## another"
TABLE = "a | b | c\n|---|---|\n| x | y |"
MIXED = "**bold** _em_ `code` ~~gone~~ $x^2$ &lt;script&gt; &#106;avascript:alert(1) <b>b</b>\x1b]0;title\x07\u202e"
HOSTILE = [SCRIPT, IMG, JS_LINK, TRACKER, HEADING, TABLE, MIXED]
#: a proxy whose name is markup: the rankings section names the best ranker
PROXY = "proxy_<img src=y onerror=alert(2)>[p](javascript:alert(3))"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.imgs: list[str] = []
        self.h1: list[str] = []
        self.h2: list[str] = []
        self.rows: list[int] = []
        self.text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "img":
            self.imgs.append(dict(attrs)["src"])
        if tag in ("h1", "h2"):
            self._in = tag
            getattr(self, tag).append("")
        if tag == "tr":
            self.rows.append(0)
        if tag in ("td", "th"):
            self.rows[-1] += 1

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in:
            getattr(self, self._in)[-1] += data


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hostile-md")
    attrs = {"citation": SCRIPT + " " + JS_LINK, "license": IMG, "scale_preset": HEADING,
             "dataset": {"name": TRACKER, "notes": TABLE}, "gt_source": {"kind": MIXED, "file": JS_LINK},
             "supernet_recipe": {"kind": TABLE, "optimizer": SCRIPT}, "gt_noise": {"why_missing": HEADING}}
    store = make_store(d / "s.zarr", n=40, **attrs)  # a store `wsbench validate` accepts
    w = StoreWriter.resume(store)
    w.ensure_arch_variable(PROXY)
    gt = np.asarray(w.group["gt_score"][:], dtype=np.float32)
    w.write_arch_values(PROXY, gt)  # ranks exactly as the GT: the best ranker, named in the finding
    w.finalize()
    return store


def test_decision_names_from_data_never_reach_a_page(tmp_path):
    """A store whose decision names differ from its space's is refused at open (one problem, no page written)."""
    store = make_store(tmp_path / "d.zarr", n=20)
    root = json.loads((store / "zarr.json").read_text())
    root["attributes"]["decisions"] = [SCRIPT, IMG, JS_LINK, TRACKER, "x\n# h\n|a|b|", MIXED]
    (store / "zarr.json").write_text(json.dumps(root))
    out = tmp_path / "r.md"
    with pytest.raises(SchemaError, match="decisions must be"):
        write(str(store), out, fmt="md")
    assert not out.exists()


def test_the_markdown_report_escapes_everything_from_data(hostile_store, tmp_path):
    out = tmp_path / "r (1) [x](javascript:alert(1)).md"  # the file name becomes the PNGs' link targets
    res = write(str(hostile_store), out, fmt="md")
    text = out.read_text()
    assert "<" not in text  # no raw HTML at all: every '<' from data is an entity
    html = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    page = Page()
    page.feed(html)
    assert set(page.tags) <= {"h1", "h2", "p", "strong", "em", "img", "table", "thead", "tbody", "tr", "th", "td",
                              "code"}, set(page.tags)
    assert all(name in ("src", "alt") for name, _ in page.attrs), page.attrs
    assert not any("javascript:" in (v or "") for _, v in page.attrs)
    drawn = [p for p in res["written"][1:]]
    assert page.imgs == [quote(Path(p).name) for p in drawn]  # only the report's own figures
    assert all((tmp_path / Path(p).name).is_file() for p in drawn)
    assert len(page.h1) == 1 and len(page.h2) == len(BUILDERS)
    assert not any("injected" in h or "another" in h for h in page.h1 + page.h2)
    assert page.rows and all(n == 2 for n in page.rows)  # provenance: two cells a row, however many pipes
    shown = "".join(page.text)
    for s in (SCRIPT, IMG, JS_LINK, TRACKER, "# injected heading", "a | b | c", "&lt;script&gt;", "**bold**"):
        assert s in shown, s  # shown as text, not dropped
    assert "\x1b" not in text and "\\x1b" in shown and "\\u202e" in shown  # control characters made visible
    s = "proxy:<img src=y onerror=alert(2)>[p](javascript:alert(3))"  # a name in a finding: also text
    assert any(s in t for t in res["sections"].values()) and s in shown


def test_escaping_keeps_plain_names_readable():
    from wsbench.escape import md_link_target, md_prose, md_text

    assert md_text("nor_conv_3x3 at 1<-0: 0.52 ± 0.02") == "nor_conv_3x3 at 1&lt;-0: 0.52 ± 0.02"
    assert md_text("_x_ *y* a|b") == "\\_x\\_ \\*y\\* a\\|b"
    assert md_prose("mean over seeds. `wsbench bias --by params`") == "mean over seeds. `wsbench bias --by params`"
    assert md_link_target("img/a b(1).png") == "img/a%20b%281%29.png"
