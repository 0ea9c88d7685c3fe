"""Errors of ground-truth importers: they name the file and the field."""

from wsbench.errors import WsbenchError


class SourceFormatError(WsbenchError, ValueError):
    """A benchmark file that is truncated, malformed, or lacks the field asked for."""
