"""Reading a user's scores table (CSV, JSON, Parquet, a DataFrame or a mapping) into plain columns.

Bounded at the door: a file is refused before it is parsed when it is larger than :data:`MAX_BYTES`, its header
longer than :data:`MAX_HEADER`, it has more than :data:`MAX_COLUMNS` columns or more than :data:`MAX_ROWS` rows,
or it looks binary (a NUL byte, an Excel/zip or Parquet signature under a text suffix, text that is not UTF-8).
Every refusal is one :class:`ScoresError` saying what was expected, what was found and how to fix it. pandas
and pyarrow are imported only for a DataFrame or a Parquet file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsbench.errors import WsbenchError

MAX_BYTES = 256 * 2**20  #: a scores file larger than this is refused unread (15,625 archs x 64 checkpoints ~ 70 MB)
MAX_HEADER = 2**16  #: bytes of a CSV header line
MAX_COLUMNS = 64
MAX_ROWS = 2_000_000  #: 15,625 NB201 cells x 128 checkpoints
#: CSV files up to this size are read whole and, without quoting, split by str.split (several times faster than
#: the csv module); larger ones are streamed through csv.reader, so their memory stays bounded by the rows kept
FAST_CSV_BYTES = 16 * 2**20
MAX_JSON_BYTES = 64 * 2**20  #: JSON is parsed whole (several times its size in memory): larger tables as CSV
COLUMNS = ("arch", "score", "epoch", "seed")
#: score column names that say the direction themselves (anything else needs --higher/--lower-is-better)
HIGHER = ("accuracy", "acc", "val_accuracy", "valid_accuracy", "test_accuracy", "top1", "val_acc")
LOWER = ("error", "err", "perplexity", "ppl", "loss", "val_loss", "val_error", "test_error")
_SIGNATURES = {b"PK\x03\x04": "a zip archive (an .xlsx/.ods workbook is one)", b"PAR1": "a Parquet file",
               b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook", b"\x1f\x8b": "a gzip file",
               b"\x89HDF": "an HDF5 file", b"\x93NUMPY": "a NumPy .npy file", b"\x80": "a Python pickle"}


class ScoresError(WsbenchError, ValueError):
    """A scores table that cannot be read or does not have the required form."""


@dataclass
class Scores:
    """The table as read: one entry per row, in file order (``epoch``/``seed`` None where the column is absent)."""
    arch: list[Any]
    score: list[float]
    epoch: list[int] | None
    seed: list[int] | None
    score_column: str = "score"
    source: str = "scores"
    ignored: list[str] = field(default_factory=list)  # extra columns, named in the result's notes

    def __len__(self) -> int:
        return len(self.arch)


def read_scores(scores: Any, score_column: str | None = None) -> Scores:
    """A path (CSV, JSON, Parquet), a pandas DataFrame, or a mapping arch -> score, as :class:`Scores`.
    ``score_column``: the column that holds the scores when it is not called ``score`` (or a metric's name), e.g.
    ``supernet_score`` or ``proxy_jacov`` of ``wsbench export``'s table."""
    if isinstance(scores, (str, os.PathLike)):
        return read_path(Path(scores), score_column)
    if isinstance(scores, Mapping):
        return _from_mapping(scores, "the mapping")
    if type(scores).__name__ == "DataFrame" and hasattr(scores, "columns"):
        cols = [str(c) for c in scores.columns]
        return _from_columns(cols, {c: scores[c].tolist() for c in cols}, "the DataFrame", score_column)
    raise ScoresError(f"scores must be a file path (CSV, JSON, Parquet), a pandas DataFrame or a mapping arch -> "
                      f"score; got {type(scores).__name__}")


def read_path(path: Path, score_column: str | None = None) -> Scores:
    if not path.is_file():
        raise ScoresError(f"{path}: no such file (expected a CSV, JSON or Parquet table of arch, score)")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ScoresError(f"{path}: {size / 2**20:.0f} MiB is larger than any scores table ({MAX_BYTES // 2**20} MiB "
                          "at most); expected columns arch, score[, epoch, seed]")
    if size == 0:
        raise ScoresError(f"{path}: the file is empty; expected a table with columns arch, score[, epoch, seed]")
    with open(path, "rb") as f:
        head = f.read(4096)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _parquet(path, score_column)
    kind = next((what for sig, what in _SIGNATURES.items() if head.startswith(sig)), None)
    if kind is not None:
        fix = " (save it as CSV, or name a Parquet file .parquet)" if "Parquet" in kind else " (save it as CSV)"
        raise ScoresError(f"{path}: this is {kind}, not a {suffix or 'text'} table{fix}")
    if b"\x00" in head:
        raise ScoresError(f"{path}: binary data (NUL bytes) where a CSV or JSON text table was expected")
    if suffix == ".json" or (suffix not in (".csv", ".tsv", ".txt") and head.lstrip()[:1] in (b"{", b"[")):
        return _json(path, size, score_column)
    return _csv(path, "\t" if suffix == ".tsv" else ",", score_column)


def _text_error(path: Path, e: UnicodeDecodeError) -> ScoresError:
    return ScoresError(f"{path}: not UTF-8 text at byte {e.start} (binary data?); expected a CSV or JSON table")


def _csv(path: Path, delimiter: str, score_column: str | None) -> Scores:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header_line = f.readline(MAX_HEADER + 1)
            if len(header_line) > MAX_HEADER or (header_line.count(delimiter) >= MAX_COLUMNS):
                n = header_line.count(delimiter) + 1
                raise ScoresError(f"{path}: the header has {'over ' if len(header_line) > MAX_HEADER else ''}{n:,} "
                                  f"columns; a scores table has arch, score and optionally epoch, seed (at most "
                                  f"{MAX_COLUMNS} columns are read)")
            header = next(csv.reader([header_line], delimiter=delimiter), [])
            cols = [c.strip() for c in header]
            if not any(cols):
                raise ScoresError(f"{path}: the first line {header_line[:40]!r} is not a CSV header; expected "
                                  "columns arch, score and optionally epoch, seed")
            cols = _chosen(cols, score_column, path)
            data: dict[str, list[Any]] = {c: [] for c in cols}
            keep = [(i, c) for i, c in enumerate(cols) if c in COLUMNS or c in HIGHER or c in LOWER]
            _check_columns(cols, path)
            seen: dict[str, str] = {}
            body: Any = f
            if path.stat().st_size <= FAST_CSV_BYTES:  # small enough to hold twice: try the fast path
                body = f.read()
                columns = _plain_columns(body, delimiter, len(cols))
                if columns is not None:  # no quoting anywhere: the rows are the lines split at the delimiter
                    for i, c in keep:
                        data[c] = [seen.setdefault(v, v) for v in columns[i]] if c == "arch" else columns[i]
                    return _named(_from_columns(cols, data, str(path)), score_column)
                body = io.StringIO(body)
            reader = csv.reader(body, delimiter=delimiter)  # larger files are streamed row by row
            try:
                for line, row in enumerate(reader, start=2):
                    if not row:
                        continue
                    if len(row) != len(cols):
                        raise ScoresError(f"{path}: line {line} has {len(row)} fields, the header {len(cols)}; "
                                          "every row needs one value per column")
                    if line - 1 > MAX_ROWS:
                        raise ScoresError(f"{path}: more than {MAX_ROWS:,} rows; no dataset has that many "
                                          "(architecture, epoch, seed) scores")
                    for i, c in keep:
                        v = row[i]
                        data[c].append(seen.setdefault(v, v) if c == "arch" else v)  # one str per architecture
            except csv.Error as e:
                raise ScoresError(f"{path}: not a CSV table (line {reader.line_num + 1}: {e}); expected columns "
                                  "arch, score and optionally epoch, seed") from None
    except UnicodeDecodeError as e:
        raise _text_error(path, e) from None
    return _named(_from_columns(cols, data, str(path)), score_column)


def _plain_columns(text: str, delimiter: str, n_cols: int) -> list[list[str]] | None:
    """The columns of a CSV body without quotes or blank lines, its lines ended by LF or by CRLF throughout, split at
    the delimiter (what ``csv.reader`` gives for such text, several times faster: 15,625 NB201 rows ~5 ms instead of
    ~25), or None when the text needs the csv module (quoting, a lone CR or mixed line ends, blank lines, a line
    over its field limit) or a row is malformed (the csv path then reports it, with its line number).

    The text is split once, its line ends turned into delimiters; that every line holds ``n_cols`` fields is
    checked on the byte positions of the line ends and delimiters (ASCII, so never inside a UTF-8 character)."""
    import numpy as np

    if '"' in text:
        return None
    if not text:
        return [[] for _ in range(n_cols)]
    raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    eol = "\n"
    if "\r" in text:  # CRLF throughout (csv.writer's default, Excel's) splits as well; a lone CR needs csv
        crs = np.flatnonzero(raw == 13)
        if len(crs) != len(ends) or (crs + 1 != ends).any():
            return None
        eol = "\r\n"
    body_end = len(raw) - len(eol) if text.endswith(eol) else len(raw)  # the last line's end is optional
    bounds = np.concatenate(([-1], ends[ends < body_end], [body_end]))
    if len(bounds) - 1 > MAX_ROWS:
        return None
    line = np.diff(bounds) - len(eol) + (bounds[1:] == body_end) * (len(eol) - 1)  # bytes before its end
    if int(line.min()) <= 0 or int(line.max()) > csv.field_size_limit():
        return None  # a blank line, or one longer than the csv module's field limit (it refuses such a field)
    seps = np.flatnonzero(raw[:body_end] == ord(delimiter))
    if (np.diff(np.searchsorted(seps, bounds)) != n_cols - 1).any():
        return None
    body = text[:-len(eol)] if body_end < len(raw) else text
    if eol == "\r\n":  # every CR ends a line: dropped (one-character replaces are several times faster)
        body = body.replace("\r", "")
    flat = body.replace("\n", delimiter).split(delimiter) if n_cols > 1 else body.split("\n")
    return [flat[i::n_cols] for i in range(n_cols)]


def _json(path: Path, size: int, score_column: str | None) -> Scores:
    if size > MAX_JSON_BYTES:
        raise ScoresError(f"{path}: {size / 2**20:.0f} MiB of JSON; JSON tables are read whole, up to "
                          f"{MAX_JSON_BYTES // 2**20} MiB: write a larger table as CSV (or Parquet)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise _text_error(path, e) from None
    start = text.lstrip()[:1]
    if start not in ("{", "["):
        raise ScoresError(f"{path}: not JSON (starts with {text.lstrip()[:20]!r}); expected an object arch -> score "
                          'or a list of records {"arch": ..., "score": ...}')
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ScoresError(f"{path}: invalid JSON ({str(e)[:120]}); expected an object arch -> score or a list of "
                          'records {"arch": ..., "score": ...}') from None
    if isinstance(data, dict):
        return _from_mapping(data, str(path))
    if not data:
        raise ScoresError(f"{path}: an empty list; expected records {{\"arch\": ..., \"score\": ...}}")
    bad = next((i for i, r in enumerate(data) if not isinstance(r, dict)), None)
    if bad is not None:
        what = type(data[bad]).__name__
        raise ScoresError(f"{path}: item {bad} of the JSON list is a {what}; expected a list of records "
                          '{"arch": ..., "score": ..., "epoch": ..., "seed": ...} (or an object arch -> score)')
    if len(data) > MAX_ROWS:
        raise ScoresError(f"{path}: more than {MAX_ROWS:,} records; no dataset has that many scores")
    cols: list[str] = []
    for r in data[:1000]:
        cols += [str(k) for k in r if str(k) not in cols]
    missing = [i for i, r in enumerate(data) if any(c not in r for c in cols if c in COLUMNS)]
    if missing:
        raise ScoresError(f"{path}: {len(missing)} record(s) lack a field the others have (first: item "
                          f"{missing[0]}: {json.dumps(data[missing[0]])[:120]}); every record needs the same fields")
    return _from_columns(cols, {c: [r.get(c) for r in data] for c in cols}, str(path), score_column)


def _parquet(path: Path, score_column: str | None) -> Scores:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ScoresError(f"{path}: reading Parquet needs pyarrow, which is not installed: pip install pyarrow "
                          "(or save the table as CSV)") from None
    try:
        meta = pq.read_metadata(path)
        if meta.num_columns > MAX_COLUMNS:
            raise ScoresError(f"{path}: {meta.num_columns:,} columns; a scores table has arch, score and optionally "
                              f"epoch, seed (at most {MAX_COLUMNS})")
        if meta.num_rows > MAX_ROWS:
            raise ScoresError(f"{path}: {meta.num_rows:,} rows; more than any dataset has scores")
        table = pq.read_table(path)
    except ScoresError:
        raise
    except (pa.ArrowException, OSError, ValueError, TypeError) as e:  # any failure to read is a bad file
        raise ScoresError(f"{path}: not a readable Parquet file ({type(e).__name__}: {str(e)[:120]})") from None
    cols = [str(c) for c in table.column_names]
    return _from_columns(cols, {c: table.column(c).to_pylist() for c in cols}, str(path), score_column)


def _from_mapping(data: Mapping, where: str) -> Scores:
    if not data:
        raise ScoresError(f"{where}: empty; expected architectures mapped to scores")
    if len(data) > MAX_ROWS:
        raise ScoresError(f"{where}: more than {MAX_ROWS:,} entries; no dataset has that many architectures")
    bad = [(k, v) for k, v in data.items() if isinstance(v, (dict, list, tuple, str)) or v is None]
    if bad:
        k, v = bad[0]
        raise ScoresError(f"{where}: {len(bad)} value(s) are not numbers (first: {str(k)[:60]!r} -> "
                          f"{json.dumps(v, default=str)[:60]}); expected an object arch -> score, or a list of "
                          'records {"arch": ..., "score": ..., "epoch": ..., "seed": ...}')
    return _from_columns(["arch", "score"], {"arch": list(data), "score": list(data.values())}, where)


def _score_column(cols: list[str]) -> str | None:
    named = [c for c in cols if c == "score" or c in HIGHER or c in LOWER]
    return named[0] if len(named) == 1 else None


def _check_columns(cols: list[str], where: object) -> None:
    if len(cols) > MAX_COLUMNS:
        raise ScoresError(f"{where}: {len(cols):,} columns; a scores table has arch, score and optionally epoch, seed "
                          f"(at most {MAX_COLUMNS} columns are read)")
    scoring = [c for c in cols if c == "score" or c in HIGHER or c in LOWER]
    problems = []
    if "arch" not in cols:
        problems.append("no 'arch' column")
    if not scoring:
        problems.append("no 'score' column (or one named for its metric: accuracy, error, perplexity, loss, ...; "
                        "any other: --score-column NAME)")
    elif len(scoring) > 1:
        problems.append(f"{len(scoring)} score columns ({', '.join(scoring)}); keep one")
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        problems.append(f"repeated column(s) {', '.join(dup)}")
    if problems:
        shown = ", ".join(repr(c[:30]) for c in cols[:8]) + (f", … ({len(cols)} in all)" if len(cols) > 8 else "")
        raise ScoresError(f"{where}: {'; '.join(problems)}; expected columns arch, score and optionally epoch, seed; "
                          f"found {shown or 'none'}")


def _numbers(values: list[Any]) -> list[float]:
    """:func:`_number` of each value; text alone (a CSV column) is read by ``float`` in one ``map`` (15,625 rows
    ~2 ms); a cell it cannot read sends the column cell by cell."""
    if values and set(map(type, values)) == {str}:
        try:
            return list(map(float, values))
        except ValueError:
            pass
    return [_number(v) for v in values]


def _number(v: Any) -> float:
    if isinstance(v, bool) or v is None:
        return math.nan if v is None else float("inf")  # a bool is not a score: reported as not finite
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _chosen(cols: list[str], score_column: str | None, where: object) -> list[str]:
    """The columns with ``score_column`` renamed ``score`` and every other score-like column set aside."""
    if score_column is None:
        return cols
    if score_column not in cols:
        shown = ", ".join(repr(c[:30]) for c in cols[:12]) + (f", … ({len(cols)} in all)" if len(cols) > 12 else "")
        raise ScoresError(f"{where}: no column {score_column!r} (the score column asked for); found {shown}")
    return ["score" if c == score_column else f"{c} (not the score)" if c == "score" or c in HIGHER or c in LOWER
            else c for c in cols]


def _named(s: Scores, score_column: str | None) -> Scores:
    """``s`` with the score column called by its name in the file (the direction is read from it)."""
    if score_column is not None:
        s.score_column = score_column
        s.ignored = [c.removesuffix(" (not the score)") for c in s.ignored]
    return s


def _from_columns(cols: list[str], data: dict[str, list[Any]], where: str,
                  score_column: str | None = None) -> Scores:
    if score_column is not None:
        chosen = _chosen(cols, score_column, where)
        data = {new: data[old] for old, new in zip(cols, chosen)}
        return _named(_from_columns(chosen, data, where), score_column)
    _check_columns(cols, where)
    sc = _score_column(cols)
    assert sc is not None
    arch = data["arch"]
    raw_scores = data[sc]
    scores = _numbers(raw_scores)
    bad = [i for i, v in enumerate(scores) if not math.isfinite(v)]
    if bad:
        shown = "; ".join(f"row {i + 1} ({str(arch[i])[:50]!r}): {str(raw_scores[i])[:20]!r}" for i in bad[:3])
        raise ScoresError(f"{where}: {len(bad)} score(s) are not finite numbers (NaN, inf, empty or text; first: "
                          f"{shown}); drop those rows or give each a number")
    if not arch:
        raise ScoresError(f"{where}: no rows; expected one row per scored architecture")
    out = Scores(arch=list(arch), score=scores, epoch=None, seed=None, score_column=sc, source=where,
                 ignored=[c for c in cols if c not in COLUMNS and c != sc])
    for name in ("epoch", "seed"):
        if name in cols:
            setattr(out, name, _ints(data[name], name, where, arch))
    return out


def _ints(values: list[Any], name: str, where: str, arch: list[Any]) -> list[int]:
    out, bad = [], []
    for i, v in enumerate(values):
        try:
            f = float(v) if not isinstance(v, bool) else math.nan
        except (TypeError, ValueError):
            f = math.nan
        if not math.isfinite(f) or not f.is_integer() or f < 0:
            bad.append(i)
            out.append(-1)
        else:
            out.append(int(f))
    if bad:
        shown = "; ".join(f"row {i + 1}: {str(values[i])[:20]!r}" for i in bad[:3])
        raise ScoresError(f"{where}: {len(bad)} {name} value(s) are not integers >= 0 (first: {shown}); the {name} "
                          f"column holds the {name} of the estimator's checkpoint or run")
    return out


def direction_of(scores: Scores, higher: bool | None) -> tuple[str, str]:
    """('max' or 'min', why): from the option if given, else from the score column's name; neither is an error."""
    col = scores.score_column
    implied = "max" if col in HIGHER else "min" if col in LOWER else None
    if higher is not None:
        given = "max" if higher else "min"
        if implied is not None and implied != given:
            raise ScoresError(f"{scores.source}: the score column is named {col!r} ({'higher' if implied == 'max' else 'lower'} "
                              f"is better) but {'--higher-is-better' if higher else '--lower-is-better'} was given; "
                              "rename the column to 'score' or drop the option")
        return given, "as given"
    if implied is None:
        raise ScoresError(f"{scores.source}: is a higher {col!r} better or worse? The column name does not say "
                          "(accuracy-like names imply higher, error/perplexity/loss lower): give --higher-is-better "
                          "or --lower-is-better (higher_is_better=True/False in Python)")
    return implied, f"implied by the column name {col!r}"


__all__ = ["COLUMNS", "MAX_BYTES", "MAX_COLUMNS", "MAX_JSON_BYTES", "MAX_ROWS", "Scores", "ScoresError", "direction_of", "read_scores"]
