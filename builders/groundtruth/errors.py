"""Errors of ground-truth importers: they name the file and the field."""

from wsbench.errors import WsbenchError


class SourceFormatError(WsbenchError, ValueError):
    """A benchmark file that is truncated, malformed, or lacks the field asked for."""


def read_json(path, expected: str):
    """A source's JSON, or one SourceFormatError that names the file and what was ``expected`` there."""
    import json
    from pathlib import Path

    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise SourceFormatError(f"{path}: no such file (expected {expected})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SourceFormatError(f"{path}: not valid JSON ({e}); truncated download?") from None
