"""``wsbench`` CLI. Exit codes: 0 ok, 1 user error (one line on stderr), 2 usage error, 3 internal error
(a bug: one line asking for a report; the traceback with ``--debug`` or ``WSBENCH_DEBUG=1``).

The commands and their options are data (``wsbench.cli.spec``), parsed with argparse (``wsbench.cli.parser``)
and run by one function each (``wsbench.cli.commands``). Heavy modules are imported inside commands so
``wsbench --help`` and ``wsbench list`` never load zarr, xarray or scipy.
"""

from __future__ import annotations

import os
import sys

from wsbench.escape import visible

INTERNAL_ERROR = 3


def run(argv: list[str]) -> None:
    """Parse ``argv`` (the words after ``wsbench``) and run the command."""
    from wsbench.cli import commands
    from wsbench.cli.parser import parse

    cmd, kwargs = parse(argv)
    getattr(commands, cmd.func)(**kwargs)


def main(argv: list[str] | None = None) -> None:
    """The console script: ``argv`` defaults to the command line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in argv:  # anywhere on the line: the traceback of an internal error is shown
        argv.remove("--debug")
        os.environ["WSBENCH_DEBUG"] = "1"
    try:
        run(argv)
    except MemoryError:
        from wsbench.reader import human
        from wsbench.stats.options import MEMORY_BUDGET

        # asked for less than the budget, but more than this machine (or its ulimit -v) gives
        sys.stderr.write(f"error: out of memory: this machine gave less than the command asked for (wsbench checks "
                         f"requests against a budget of {human(MEMORY_BUDGET)}); ask for fewer resamples (--boot), "
                         "trials or samples, or run it where more memory is free\n")
        sys.exit(1)
    except BrokenPipeError:  # `wsbench ... | head`: the reader left; nothing more to say, as Click did
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        except (OSError, ValueError):
            pass
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:
        if os.environ.get("WSBENCH_DEBUG") == "1":
            raise
        # the message may quote data (a name, a path): its control characters shown, not sent
        sys.stderr.write(f"internal error: {type(e).__name__}: {visible(str(e)[:300])} -- this is a wsbench bug; "
                         "please report it with the command line (rerun with --debug for the traceback)\n")
        sys.exit(INTERNAL_ERROR)


#: the collector's first threshold in a command's process (Python's default: 700 allocations)
GC_THRESHOLD = 100_000


def console() -> None:
    """The console script and ``python -m wsbench``: :func:`main` in a process of its own, which ends after it.

    A command allocates a few hundred thousand objects (its imports, a table of 15,625 rows) and leaves few in
    garbage cycles, yet Python's collector traverses them every 700 allocations and once more at exit: ~13% of a
    cold ``wsbench evaluate`` (benchmarks/README.md). Here it runs every 100,000 allocations (a long command, a
    report's figures, is still collected) and what is alive at the end is frozen, so exit does not traverse it.
    Not in :func:`main`, which tests call in-process."""
    import gc

    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    console()
