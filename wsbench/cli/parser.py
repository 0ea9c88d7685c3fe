"""argparse parsers made from ``wsbench.cli.spec``. The standard library's parser imports in a few milliseconds
(Typer with its Click took ~0.7x ``python -c "import numpy"`` on every start); only the parser of the command
being run is built. Help is plain text wrapped to the terminal (``COLUMNS`` when set).

Usage errors exit 2 with the usage line and one line saying what is wrong, on stderr (argparse's own).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from wsbench.cli import spec

TOP_USAGE = "wsbench [OPTIONS] COMMAND [ARGS]..."
HELP = "Show this message and exit."
_METAVAR = {str: "TEXT", int: "INTEGER", float: "FLOAT"}


class _Formatter(argparse.HelpFormatter):
    """argparse's wrapping (to the terminal's width), with an option's names shown once: ``--space, -s TEXT``."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings:
            return super()._format_action_invocation(action)
        names = ", ".join(action.option_strings)
        if action.nargs == 0:
            return names
        return f"{names} {self._metavar_formatter(action, action.dest.upper())(1)[0]}"


class _Pair(argparse.Action):
    """``--on/--off``: True for the first name, False for the second."""

    def __init__(self, option_strings: list[str], dest: str, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kw)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, option_string == self.option_strings[0])


class _Version(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kw)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        from wsbench import __version__

        print(f"wsbench {__version__}")
        parser.exit()


def _help(p: spec.Param) -> str:
    """The help text as argparse shows it (``%`` is its format character), with the default or [required]."""
    text = p.help
    if p.required and p.kind != "arg":
        text += " [required]"
    elif p.show_default and p.kind == "pair" and p.default is not None:
        text += f" [default: {p.flags[0 if p.default else 1].lstrip('-')}]"
    elif p.show_default and p.kind == "value" and p.default is not None:
        text += f" [default: {p.default}]"
    return text.replace("%", "%%")


def _add(parser: argparse.ArgumentParser | Any, p: spec.Param) -> None:
    if p.kind == "arg":
        parser.add_argument(p.dest, metavar=p.dest.upper(), nargs=None if p.required else "?", help=_help(p))
    elif p.kind == "flag":
        parser.add_argument(*p.flags, dest=p.dest, action="store_true", help=_help(p))
    elif p.kind == "pair":
        parser.add_argument(*p.flags, dest=p.dest, action=_Pair, default=p.default, help=_help(p))
    else:
        metavar = f"[{'|'.join(p.choices)}]" if p.choices else _METAVAR[p.type]
        parser.add_argument(*p.flags, dest=p.dest, type=p.type, default=p.default, required=p.required,
                            choices=p.choices or None, metavar=metavar, help=_help(p))


def command_help(cmd: spec.Command) -> str:
    """The command's help text: its function's docstring, on one line."""
    from wsbench.cli import commands

    return " ".join((getattr(commands, cmd.func).__doc__ or "").split())


def _new(prog: str, usage: str, description: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=prog, usage=usage, description=description, add_help=False,
                                   allow_abbrev=False, formatter_class=_Formatter)


def top_parser() -> argparse.ArgumentParser:
    """``wsbench`` itself: its options and the list of commands (for its help and its usage errors)."""
    parser = _new("wsbench", TOP_USAGE, spec.TOP_HELP)
    parser.add_argument(*spec.VERSION.flags, action=_Version, help=spec.VERSION.help)
    _add(parser, spec.DEBUG)
    parser.add_argument("--help", action="help", help=HELP)
    group = parser.add_argument_group("commands")
    for cmd in spec.COMMANDS:
        group.add_argument(cmd.name, help=command_help(cmd).replace("%", "%%"))
    return parser


def command_parser(cmd: spec.Command) -> argparse.ArgumentParser:
    args = [p for p in cmd.params if p.kind == "arg"]
    usage = " ".join([f"wsbench {cmd.name} [OPTIONS]",
                      *(p.dest.upper() if p.required else f"[{p.dest.upper()}]" for p in args)])
    parser = _new(f"wsbench {cmd.name}", usage, command_help(cmd))
    if args:  # shown first, then the options (argparse's own options group stays empty, so unshown)
        group = parser.add_argument_group("arguments")
        for p in args:
            _add(group, p)
    options = parser.add_argument_group("options")
    for p in cmd.params:
        if p.kind != "arg":
            _add(options, p)
    options.add_argument("--help", action="help", help=HELP)
    return parser


def _values_joined(argv: list[str], cmd: spec.Command) -> list[str]:
    """``--opt VALUE`` as ``--opt=VALUE``: an option's value is the next word, whatever it starts with (``--k -1``,
    ``--gt -x``), as Click read it; argparse would take a word starting with ``-`` for an option."""
    long_name = {f: p.flags[0] for p in cmd.params if p.kind == "value" for f in p.flags}
    out: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            out += argv[i:]
            break
        if word in long_name and i + 1 < len(argv):
            out.append(f"{long_name[word]}={argv[i + 1]}")
            i += 2
        else:
            out.append(word)
            i += 1
    return out


def parse(argv: list[str]) -> tuple[spec.Command, dict[str, Any]]:
    """The command and its keyword arguments; ``--help`` and ``--version`` print and exit 0, a usage error exits 2.
    ``wsbench`` alone prints its help (exit 2, as a usage error). ``--debug`` before the command sets
    WSBENCH_DEBUG=1 (``wsbench.cli.app.main`` takes it from anywhere on the line)."""
    for i, word in enumerate(argv):
        if not word.startswith("-") or word == "-":
            if word not in spec.BY_NAME:
                names = ", ".join(spec.BY_NAME)
                top_parser().error(f"argument COMMAND: invalid choice: {word!r} (choose from {names})")
            cmd = spec.BY_NAME[word]
            ns = command_parser(cmd).parse_args(_values_joined(argv[i + 1:], cmd))
            return cmd, vars(ns)
        if word == "--debug":
            import os

            os.environ["WSBENCH_DEBUG"] = "1"
        elif word in ("--help", "--version"):  # print and exit
            top_parser().parse_args([word])
        else:
            top_parser().error(f"unrecognized arguments: {word}")
    top_parser().print_help()
    sys.exit(2)
