"""The ``switchboard`` command line: parsing, dispatch and the one place errors are shown.

Known problems print one line on stderr and exit non-zero (2, 3 for a claim
conflict, 4 when nobody is signed in); a bug prints one line naming the log
file that holds the traceback. Nobody sees a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, NoReturn

from console import __version__
from console.cli import args as arg
from console.errors import SwitchboardError
from console.masking import mask_digit_runs

log = logging.getLogger(__name__)

EXIT_BUG = 70
# Packages beside the product (tools/) add subcommands through this entry-point group:
# each entry is a callable taking the subparsers object.
PLUGIN_GROUP = "switchboard.commands"
EXIT_USAGE = 2  # argparse's own code for a refused argument
_MAX_ERROR = 300  # characters of a usage error: an echoed 10 kB argument helps nobody


@dataclass(frozen=True)
class Command:
    """A subcommand another package (the UI) can add to ``switchboard``."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse, but a refused argument is one line on stderr (no usage block)."""

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # Python 3.11's argparse drops a "--" given as a value ("--limit=--") and
        # hands the command an empty list instead of calling the type.
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            self.error(f"argument {'/'.join(action.option_strings)}: expected a value, not '--'")
        return super()._get_values(action, arg_strings)

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {_one_line(message)} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _one_line(message: str) -> str:
    """The message with line breaks and other control characters shown escaped, kept short."""
    shown = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp")
                    else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
                    for ch in message)
    return shown if len(shown) <= _MAX_ERROR else shown[:_MAX_ERROR - 1] + "…"


def build_parser(extra: Sequence[Command] = ()) -> argparse.ArgumentParser:
    from console.cli import (
        channel_commands,
        commands,
        contact_commands,
        db_commands,
        gateway_commands,
        person,
        security_commands,
        session_commands,
        supervisor_commands,
        sync_commands,
    )

    parser = Parser(prog="switchboard", description=(
        "Switchboard agent console. Without a command, opens the console window."))
    parser.add_argument("--version", action="version", version=f"switchboard {__version__}")
    parser.add_argument("--db", type=arg.text(2048, "the database URL"), metavar="URL", help=(
        "database URL (default: $SWITCHBOARD_DB, the config file, or the embedded SQLite file)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in (db_commands.register, session_commands.register, commands.register,
                     security_commands.register, sync_commands.register,
                     supervisor_commands.register, channel_commands.register,
                     gateway_commands.register, contact_commands.register):
        register(sub)
    for plugin in entry_points(group=PLUGIN_GROUP):
        plugin.load()(sub)  # tools/ adds the benchmarks and the screenshot this way
    for cmd in extra:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        cmd.add_arguments(p)
        p.set_defaults(func=cmd.run)
    person.add_person_options(parser)
    return parser


def main(argv: Sequence[str] | None = None, *, extra: Sequence[Command] = (),
         default: str | None = None) -> int:
    """Runs one ``switchboard`` command and returns its exit code.

    Args:
        argv: the arguments (default: sys.argv[1:]).
        extra: commands added by another package (the UI's run/screenshot).
        default: the command to run when none is named (options go to it).
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(extra)
    if default:
        args_list = _with_default(args_list, default)
    args = _parse(parser, args_list)
    if isinstance(args, int):
        return args
    _configure_logging()
    try:
        return int(args.func(args))
    except SwitchboardError as exc:
        print(f"switchboard: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("switchboard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``switchboard queues --json | head``): not an error.
        # Point stdout at /dev/null so the interpreter's final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception:
        # Arguments may hold a number somebody typed (a search): never log it in full.
        log.exception("unexpected error in 'switchboard %s'", mask_digit_runs(" ".join(args_list)))
        print(f"switchboard: internal error; the details are in {_log_path()}", file=sys.stderr)
        return EXIT_BUG


def _parse(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when there is nothing to run."""
    try:
        parsed = parser.parse_args(args)
    except SystemExit as exc:  # --help, --version, or a refused argument (one line already)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(parsed, "func", None) is None:
        parser.print_help()
        return 0
    return parsed


def _with_default(args: list[str], default: str) -> list[str]:
    """Inserts the default command after the global options when no command is named."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--db":
            i += 2
        elif arg.startswith("--db="):
            i += 1
        elif arg in {"-h", "--help", "--version"} or not arg.startswith("-"):
            return args  # help, or a command name (argparse judges unknown ones)
        else:
            break
    return [*args[:i], default, *args[i:]]


def _log_path() -> Path:
    import platformdirs

    path = Path(platformdirs.user_log_dir("switchboard"))
    path.mkdir(parents=True, exist_ok=True)
    return path / "switchboard.log"


def _configure_logging() -> None:
    path = _log_path()
    root = logging.getLogger()
    # main() may run many times in one process (the tests call it in-process):
    # one handler per log file, not one more open file per call.
    if any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path
           for h in root.handlers):
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
