"""The installed ``switchboard`` command: the headless commands plus ``run``, the window.

Nothing here imports Qt at module level: ``switchboard inbox`` and friends
must not pay for it. Each GUI command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse

from console.cli import args as arg
from console.cli.main import Command
from console.cli.main import main as cli_main
from console.demo.reference import DEMO_PASSWORD


def _console_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--demo", action="store_true", help=(
        "fill an empty database with demo data first (every demo agent's password: "
        f"{DEMO_PASSWORD})"))
    p.add_argument("--agent", type=arg.login, metavar="LOGIN",
                   help="the login to suggest at sign-in")
    _db_argument(p)


def _db_argument(p: argparse.ArgumentParser) -> None:
    # Also accepted after the command; SUPPRESS keeps a global --db when this one is absent.
    p.add_argument("--db", type=arg.text(2048, "the database URL"), metavar="URL",
                   default=argparse.SUPPRESS,
                   help="database URL (the same as the global --db)")


def cmd_run(args: argparse.Namespace) -> int:
    from console.app import open_entrance
    from console.cli.db_commands import seed_demo_if_empty
    from ui.app import run

    if args.demo:
        seed_demo_if_empty(args.db)
    entrance = open_entrance(args.db)
    try:
        return run(entrance, suggested_login=args.agent)
    finally:
        entrance.close()


COMMANDS = (
    Command("run", "open the agent console window (the default command)", _console_arguments,
            cmd_run),
)


def main() -> int:
    """Entry point of the ``switchboard`` console script."""
    return cli_main(extra=COMMANDS, default="run")
