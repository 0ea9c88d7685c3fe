"""Text that comes from data (store attributes, variable and decision names, paths) made inert for its output.

One place for it: a value from a store is never trusted to be plain text. Markdown here (the report's
``--format md``); the HTML page uses :func:`html.escape`; the terminal (the CLI) :func:`visible` for plain text and
:func:`term` for text put into Rich markup. Standard library only, cheap to import (the CLI imports it at start-up).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

#: line and paragraph breaks: in one Markdown line they would start a heading, a list or a new table row
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
#: characters that start Markdown (CommonMark + GitHub) syntax anywhere in a line: emphasis, code, links and
#: images, table cells, strikethrough, math, headings
_MD_PUNCT = "\\`*[]|~$#"
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def visible(text: object) -> str:
    """``text`` with control and invisible formatting characters (ESC, NUL, bidi overrides, zero-width) shown
    as ``\\xNN`` / ``\\uNNNN`` and every line break as a space: one line, every character seen."""
    out = []
    for ch in str(text):
        if ch in _BREAKS or ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


#: longest text from data shown as one label (a tick, a legend entry, a name in a sentence): longer is cut with "…"
LABEL_CHARS = 60


def label(text: object, limit: int = LABEL_CHARS) -> str:
    """``text`` from data as a short label: :func:`visible`, cut to ``limit`` characters with an ellipsis (a
    1 MB name must not become a 1 MB tick label, legend or table cell). Figures also turn mathtext off
    (``wsbench.report`` draws with ``text.parse_math`` False), so ``$`` in a name is a dollar sign."""
    s = visible(str(text)[: limit + 1])
    return s if len(s) <= limit else s[: limit - 1] + "…"


#: what Rich reads as a markup tag (as ``rich.markup.escape``): ``[`` then a letter, ``#``, ``/`` or ``@``
_RICH_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def markup_escape(text: object) -> str:
    """``text`` with Rich markup escaped, exactly as ``rich.markup.escape`` (without importing Rich): every
    ``[tag]``, ``[/x]``, ``[link=...]`` shown as typed, a backslash before it kept."""
    s = _RICH_TAG.sub(lambda m: f"{m[1]}{m[1]}\\{m[2]}", str(text))
    return s + "\\" if s.endswith("\\") and not s.endswith("\\\\") else s


def term(text: object) -> str:
    """``text`` to put into a Rich markup string (a message, a progress description): :func:`visible`, then
    :func:`markup_escape`. Rich shows it as exactly the characters :func:`visible` gives; no tag, link or
    terminal escape from it (on a console with ``emoji=False``: Rich reads ``:cat:`` codes in any string). Plain
    output (``markup=False``, :class:`rich.text.Text`, ``print``) needs only :func:`visible`."""
    return markup_escape(visible(text))


def md_text(text: object) -> str:
    """``text`` as inert inline Markdown: no HTML (``& < >`` become entities), no links, images, emphasis, code,
    table cells, headings or line breaks from it; renders as the same characters (see :func:`visible`)."""
    s = visible(text)
    out = []
    for i, ch in enumerate(s):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _MD_PUNCT:
            out.append("\\" + ch)
        elif ch == "_" and not (0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum()):
            out.append("\\_")  # inside a word (nor_conv_3x3) it cannot start emphasis: left as it is
        else:
            out.append(ch)
    return "".join(out)


def md_prose(text: str) -> str:
    """wsbench's own sentences with ``code`` spans (captions): text outside the spans escaped like
    :func:`md_text`; the spans kept as code, which Markdown never reads as HTML."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans at all
        return md_text(text)
    return "".join(md_text(p) if i % 2 == 0 else f"`{visible(p)}`" for i, p in enumerate(parts))


def md_link_target(path: str) -> str:
    """A relative file name as a Markdown link target: percent-encoded, so spaces, parentheses or a
    ``javascript:``-looking name stay one relative path."""
    return quote(str(path), safe="/")
