"""Text from data reaches the terminal as plain text (issue 28, item 4): Rich markup in a store attribute, a proxy
name, a store path or a catalog field is shown as typed, never read as a tag (``[/x]`` made ``info``, every
statistic and ``list`` exit 3; ``[link=...]`` injected a hyperlink), and control characters from data (ESC, OSC,
NUL) are shown as ``\\xNN`` instead of reaching the terminal. Real ``wsbench`` processes on crafted stores."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from factory import make_store
from test_catalog import ENTRY

from wsbench.escape import markup_escape, term, visible
from wsbench.store import StoreWriter

#: markup that breaks Rich ([/x]), a hyperlink, an OSC title change, a screen clear, a NUL, an emoji code
EVIL = "A[/x]B [link=http://evil.example/]click[/link] \x1b]0;pwned\x07 \x1b[2J N\x00UL [bold]b[/bold] :cat:"
#: a proxy name is a variable (a folder) name: no '/' in it
PROXY = "p[red]q[link=x:y]L\x1b[2J"
#: Rich's own styling (FORCE_COLOR): SGR sequences only; anything else with ESC (OSC 8 links, titles) came from data
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("escape")
    evil = make_store(tmp / "evil.zarr", n=30, citation=EVIL, license=EVIL, dataset={"name": EVIL}, extra=EVIL)
    w = StoreWriter.resume(evil)
    w.ensure_arch_variable(f"proxy_{PROXY}")
    w.write_arch_values(f"proxy_{PROXY}", np.arange(30.0))
    w.finalize()
    path = tmp / "a[" / "]b.zarr"  # the path a[/]b.zarr
    path.parent.mkdir()
    make_store(path, n=30)
    cat = tmp / "cat"
    cat.mkdir()
    toml_evil = json.dumps(EVIL.replace("\x00", ""))  # TOML basic strings take JSON's escapes (no NUL in TOML)
    (cat / "evil.toml").write_text(
        ENTRY.format(name="evil", url="https://example.org/evil.zip", sha="0" * 64, size=5)
        .replace('scale = "test"', f"scale = {toml_evil}").replace('title = "Test store"', f"title = {toml_evil}"))
    return {"evil": evil, "path": tmp / "a[/]b.zarr", "cat": cat, "tmp": tmp}


def wsbench(args: list[str], color: bool = False, **env: str) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    e.update(COLUMNS="2000", PYTHONPATH=str(Path(__file__).resolve().parents[1]), **env)
    if color:  # Rich writes styles and links as to a terminal
        e.update(FORCE_COLOR="1", TERM="xterm-256color")
    return subprocess.run([sys.executable, "-m", "wsbench", *args], capture_output=True, env=e, timeout=120)


def check(r: subprocess.CompletedProcess, codes: tuple[int, ...] = (0,)) -> str:
    """Exit code as expected (never 3); no byte from data that a terminal acts on; stdout + stderr as text."""
    out = (r.stdout + r.stderr).decode("utf-8")
    assert r.returncode in codes, (r.returncode, out[-2000:])
    assert "internal error" not in out and "Traceback" not in out, out[-2000:]
    assert "\x00" not in out and "\x07" not in out, out[-2000:]
    rest = SGR.sub("", out)
    assert "\x1b" not in rest, [rest[max(0, i - 40):i + 40] for i in [rest.index("\x1b")]]
    return SGR.sub("", out)


STAT_CMDS = [["topk"], ["correlation"], ["bias"], ["bias", "--by", "operator"], ["stability"], ["mean-score"]]


@pytest.mark.parametrize("color", [False, True], ids=["piped", "color"])
def test_store_attributes_and_proxy_names_are_shown_as_typed(crafted, color: bool):
    out = check(wsbench(["info", str(crafted["evil"])], color))
    assert visible(EVIL) in out  # citation: every character seen, the markup as typed
    assert ":cat:" in out and "\U0001f431" not in out  # no emoji code read either
    assert f"proxy_{visible(PROXY)}" in out
    wide = check(wsbench(["info", str(crafted["evil"]), "--wide"], color))
    assert "extra" in wide and visible(EVIL) in wide
    assert "]8;" not in out + wide  # no OSC 8 hyperlink


def test_statistics_on_a_store_with_markup_and_escapes(crafted):
    for cmd in [*STAT_CMDS, ["topk", "--score", f"proxy:{PROXY}"]]:
        check(wsbench([*cmd, "--space", str(crafted["evil"])], color=True))


def test_error_messages_that_quote_data_show_it_plainly(crafted):
    # the message lists the store's proxies, one with ESC and markup in its name
    out = check(wsbench(["topk", "--space", str(crafted["evil"]), "--score", "proxy:none[/x]"], color=True), (1,))
    assert "error: unknown ranking (score) 'proxy:none[/x]'" in out and f"proxy:{visible(PROXY)}" in out
    missing = str(crafted["tmp"] / "no[/x]where\x1b[2J.zarr")
    out = check(wsbench(["topk", "--space", missing]), (1,))
    assert visible(missing) in out
    out = check(wsbench(["validate", missing]), (1,))
    assert visible(missing) in out


@pytest.mark.parametrize("cmd", [["info"], ["validate"], *STAT_CMDS], ids=" ".join)
def test_a_store_path_with_markup(crafted, cmd: list[str]):
    where = [str(crafted["path"])] if cmd in (["info"], ["validate"]) else ["--space", str(crafted["path"])]
    out = check(wsbench([*cmd, *where], color=True))
    assert str(crafted["path"]) in out


@pytest.mark.parametrize("wide", [False, True])
def test_catalog_fields_with_markup(crafted, wide: bool):
    out = check(wsbench(["list", *(["--wide"] if wide else [])], color=True, WSBENCH_CATALOG=str(crafted["cat"]),
                        WSBENCH_DATA=str(crafted["tmp"] / "cache")))
    assert "evil" in out
    if wide:  # scale is a --wide column
        assert visible(EVIL.replace("\x00", "")) in out and "]8;" not in out


def test_escape_helpers_match_rich():
    from rich.console import Console
    from rich.markup import escape

    for s in ["a[/x]b", "\\[/x]", "x\\", "x\\\\", "[link=http://a]b[/link]", "[1, 2]", "[@click]", "\\\\[b]", EVIL]:
        assert markup_escape(s) == escape(s), s
    console = Console(file=open(os.devnull, "w"), width=2000, record=True, force_terminal=True, emoji=False)
    console.print(term(EVIL))
    assert console.export_text().rstrip("\n") == visible(EVIL)
