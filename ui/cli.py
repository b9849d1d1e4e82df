"""The installed ``switchboard`` command: the headless commands plus run, screenshot, bench-ui.

Nothing here imports Qt at module level: ``switchboard inbox`` and friends
must not pay for it. Each GUI command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from typing import TYPE_CHECKING

from console.cli.main import Command
from console.cli.main import main as cli_main
from console.demo.reference import DEMO_PASSWORD

if TYPE_CHECKING:
    from console.app import Services
    from console.demo import DemoScale

DEFAULT_SIZE = "1600x1000"
DEMO_SCALE: DemoScale = {"customers": 5_000, "contacts": 20_000, "articles": 2_000}


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 1600x1000")
    return int(match[1]), int(match[2])


def _run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agent", metavar="LOGIN",
                   help="who is signed in (default: the first agent with the agent role)")
    _db_argument(p)


def _console_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--demo", action="store_true", help=(
        "fill an empty database with demo data first (every demo agent's password: "
        f"{DEMO_PASSWORD})"))
    p.add_argument("--agent", metavar="LOGIN", help="the login to suggest at sign-in")
    _db_argument(p)


def _db_argument(p: argparse.ArgumentParser) -> None:
    # Also accepted after the command; SUPPRESS keeps a global --db when this one is absent.
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                   help="database URL (the same as the global --db)")


def cmd_run(args: argparse.Namespace) -> int:
    from console.app import open_services
    from ui.app import run

    services = open_services(args.db)
    try:
        if args.demo:
            _seed_demo(services)
        return run(services, suggested_login=args.agent)
    finally:
        services.close()


def _seed_demo(services: Services) -> None:
    """Fills an empty database with a demo contact centre; leaves a used one alone."""
    from console.demo import database_scale as scale_of
    from console.demo import generate

    if scale_of(services.db)["contacts"]:
        print(f"switchboard: {services.db.describe()} already has data; opening it as it is.",
              file=sys.stderr)
        return
    print("switchboard: filling the database with demo data…", file=sys.stderr, flush=True)
    generate(services.db, now=services.clock.now(), **DEMO_SCALE)
    print(f"switchboard: demo ready. Sign in as daniel (or any agent in 'switchboard agents') "
          f"with the password {DEMO_PASSWORD}.", file=sys.stderr)


def _screenshot_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE.png", help="where to save the PNG")
    p.add_argument("--size", type=_size, default=_size(DEFAULT_SIZE), metavar="WxH",
                   help=f"window size (default {DEFAULT_SIZE})")
    _run_arguments(p)


def cmd_screenshot(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler

    from ui.screenshot import take_screenshot

    previous = qInstallMessageHandler(_quiet_offscreen)
    try:
        path = take_screenshot(args.out, db_url=args.db, size=args.size, agent_login=args.agent)
    finally:
        qInstallMessageHandler(previous)
    print(path)
    return 0


def _quiet_offscreen(mode: object, context: object, message: str) -> None:
    """Qt's messages go to the log; the offscreen platform's size-hint notice is expected noise."""
    if "propagateSizeHints" not in message:
        logging.getLogger("qt").warning("%s", message)


def _bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON (default: a short table)")
    p.add_argument("--contacts", type=int, default=1_000_000,
                   help="contacts in the benchmark database when it must be built")
    p.add_argument("--articles", type=int, default=100_000,
                   help="KB articles in the benchmark database when it must be built")
    p.add_argument("--samples", type=int, default=20, help="contacts and searches to time")
    p.add_argument("--starts", type=int, default=3, help="process starts to time")
    _run_arguments(p)


def cmd_bench_ui(args: argparse.Namespace) -> int:
    from ui.bench_ui import print_result, run_bench_ui

    result = run_bench_ui(args.db, contacts=args.contacts, articles=args.articles,
                          samples=args.samples, starts=args.starts, agent_login=args.agent)
    print_result(result, as_json=args.json)
    return 0


COMMANDS = (
    Command("run", "open the agent console window (the default command)", _console_arguments,
            cmd_run),
    Command("screenshot", "save a PNG of the console window (offscreen, demo data by default)",
            _screenshot_arguments, cmd_screenshot),
    Command("bench-ui", "time the console window: start, contact to history, KB search, memory",
            _bench_arguments, cmd_bench_ui),
)


def main() -> int:
    """Entry point of the ``switchboard`` console script."""
    return cli_main(extra=COMMANDS, default="run")
