"""The CLI in-process, as the console script runs it: ``wsbench.cli.app.main(argv)`` with stdout and stderr
captured, the environment set for the call and put back after it, and the exit code kept (0 when ``main``
returns, else its ``SystemExit`` code: 1 user error, 2 usage error, 3 internal error). Tests that need a real
process (a terminal, a console script, a blocked import) run one instead (tests/test_cli.py ``run``)."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Invoked:
    exit_code: int
    stdout: str
    stderr: str
    #: an exception ``main`` let through instead of exiting (it never should: a bug is exit code 3)
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        """stdout, then stderr (for assertion messages)."""
        return self.stdout + self.stderr


def invoke(args: Sequence[str], env: Mapping[str, str | None] | None = None) -> Invoked:
    """``wsbench ARGS`` in this process; ``env`` entries set (None: removed) for the call only."""
    from wsbench.cli.app import main

    saved_env = dict(os.environ)
    saved_streams = sys.stdout, sys.stderr
    out, err = io.StringIO(), io.StringIO()
    for key, value in (env or {}).items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    sys.stdout, sys.stderr = out, err
    code, exception = 0, None
    try:
        main(list(args))
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
        if isinstance(e.code, str):  # sys.exit("message") prints the message, as Python does
            err.write(e.code + "\n")
    except BaseException as e:  # noqa: BLE001 - kept for the test to show; not expected
        code, exception = 1, e
    finally:
        sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_env)
    return Invoked(code, out.getvalue(), err.getvalue(), exception)
