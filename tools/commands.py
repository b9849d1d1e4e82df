"""The tools' ``switchboard`` commands: bench, bench-sync, bench-channels, bench-load, bench-ui,
screenshot.

Registered through the ``switchboard.commands`` entry point (pyproject.toml),
so ``console.cli.main`` finds them without product code importing tools/.
None of them reads customer records for a person, so none needs a sign-in.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import re
from typing import Any

from console.cli import args as arg
from console.cli.db_commands import scale_options
from console.cli.output import print_json
from console.cli.person import needs_no_person

DEFAULT_SIZE = "1600x1000"


def register(sub: Any) -> None:
    """Adds the tools' subcommands to the ``switchboard`` parser."""
    bench = sub.add_parser("bench", help="measure lookup, search and inbox latencies")
    scale_options(bench, customers=1_000_000, contacts=1_000_000, articles=100_000)
    bench.add_argument("--samples", type=arg.whole_number(1, 100_000), default=200,
                       help="queries per measurement")
    bench.add_argument("--reuse", action="store_true",
                       help="reuse the database given with --db if it is already at this scale")
    bench.add_argument("--json", action="store_true", help="print JSON (default: a table)")
    bench.set_defaults(func=cmd_bench)

    sync = sub.add_parser("bench-sync", help=(
        "time how soon a change made by one workstation process reaches another"))
    sync.add_argument("--changes", type=arg.whole_number(5, 100_000), default=60,
                      help="changes to time (default 60)")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(func=cmd_bench_sync)

    channels = sub.add_parser("bench-channels", help=(
        "e-mail: intake rate from a real IMAP mailbox, mail to screen, reply to mailbox "
        "(starts its own Dovecot and SMTP server)"))
    channels.add_argument("--messages", type=arg.whole_number(1, 100_000), default=1000,
                          help="messages in the mailbox for the intake rate (default 1000)")
    channels.add_argument("--samples", type=arg.whole_number(1, 10_000), default=40,
                          help="messages and replies to time for the latencies (default 40)")
    channels.add_argument("--json", action="store_true", help="print JSON (default: a table)")
    channels.set_defaults(func=cmd_bench_channels)

    load = sub.add_parser("bench-load", help=(
        "simulated agents claim and resolve contacts at once; checks none is lost or doubled"))
    load.add_argument("--agents", type=arg.whole_number(1, 10_000), default=50,
                      help="simulated agents (default 50)")
    load.add_argument("--contacts", type=arg.scale, default=10_000, help="contacts (default 10,000)")
    load.add_argument("--json", action="store_true")
    load.set_defaults(func=cmd_bench_load)

    shot = sub.add_parser("screenshot", help=(
        "save a PNG of the console window (offscreen, demo data by default)"))
    shot.add_argument("--out", type=arg.path, required=True, metavar="FILE.png",
                      help="where to save the PNG")
    shot.add_argument("--size", type=_size, default=_size(DEFAULT_SIZE), metavar="WxH",
                      help=f"window size (default {DEFAULT_SIZE})")
    _window_arguments(shot)
    shot.set_defaults(func=cmd_screenshot)

    ui = sub.add_parser("bench-ui", help=(
        "time the console window: start, contact to history, KB search, memory"))
    ui.add_argument("--json", action="store_true", help="print JSON (default: a short table)")
    ui.add_argument("--contacts", type=arg.scale, default=1_000_000,
                    help="contacts in the benchmark database when it must be built")
    ui.add_argument("--articles", type=arg.scale, default=100_000,
                    help="KB articles in the benchmark database when it must be built")
    ui.add_argument("--samples", type=arg.whole_number(1, 10_000), default=20,
                    help="contacts and searches to time")
    ui.add_argument("--starts", type=arg.whole_number(1, 100), default=3,
                    help="process starts to time")
    _window_arguments(ui)
    ui.set_defaults(func=cmd_bench_ui)


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 1600x1000")
    return int(match[1]), int(match[2])


def _window_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agent", type=arg.login, metavar="LOGIN",
                   help="whose window (default: the first agent with the agent role)")
    # Also accepted after the command; SUPPRESS keeps a global --db when this one is absent.
    p.add_argument("--db", type=arg.text(2048, "the database URL"), metavar="URL",
                   default=argparse.SUPPRESS,
                   help="database URL (the same as the global --db)")


@needs_no_person("a benchmark builds and measures a database of its own")
def cmd_bench(args: argparse.Namespace) -> int:
    from tools.bench import format_report, run_bench

    result = run_bench(args.db, customers=args.customers, contacts=args.contacts,
                       articles=args.articles, samples=args.samples, seed=args.seed,
                       reuse=args.reuse)
    if args.json:
        print_json(result)
    else:
        print(format_report(result))
    return 0


@needs_no_person("a benchmark writes and times its own notes")
def cmd_bench_sync(args: argparse.Namespace) -> int:
    from tools.bench_sync import format_sync_report, run_sync_bench

    result = run_sync_bench(args.db, changes=args.changes)
    if args.json:
        print_json(result)
    else:
        print(format_sync_report(result))
    return 0


@needs_no_person("a benchmark of its own mailbox, account and replies")
def cmd_bench_channels(args: argparse.Namespace) -> int:
    from tools.bench_channels import format_channels_report, run_channels_bench

    result = run_channels_bench(args.db, messages=args.messages, samples=args.samples)
    if args.json:
        print_json(result)
    else:
        print(format_channels_report(result))
    # A message lost or taken in twice is a failure; a missed speed target is a figure to read.
    return 0 if result["intake"]["exactly_once"] else 1


@needs_no_person("a load test works its own simulated contacts")
def cmd_bench_load(args: argparse.Namespace) -> int:
    from tools.bench_load import format_load_report, run_load

    report = run_load(args.db, agents=args.agents, contacts=args.contacts)
    if args.json:
        print_json({**dataclasses.asdict(report), "ok": report.ok})
    else:
        print(format_load_report(report))
    return 0 if report.ok else 1


@needs_no_person("without --db it shows a throwaway demo; with --db the window is that of "
                 "the person signed in with 'switchboard signin'")
def cmd_screenshot(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler

    from console.cli.person import open_door
    from tools.screenshot import take_screenshot

    previous = qInstallMessageHandler(_quiet_offscreen)
    try:
        path = take_screenshot(args.out, db_url=args.db, size=args.size, agent_login=args.agent,
                               sign_in=lambda services: open_door(services, args))
    finally:
        qInstallMessageHandler(previous)
    print(path)
    return 0


def _quiet_offscreen(mode: object, context: object, message: str) -> None:
    """Qt's messages go to the log; the offscreen platform's size-hint notice is expected noise."""
    if "propagateSizeHints" not in message:
        logging.getLogger("qt").warning("%s", message)


@needs_no_person("a benchmark of the window on a benchmark database")
def cmd_bench_ui(args: argparse.Namespace) -> int:
    from tools.bench_ui import print_result, run_bench_ui

    result = run_bench_ui(args.db, contacts=args.contacts, articles=args.articles,
                          samples=args.samples, starts=args.starts, agent_login=args.agent)
    print_result(result, as_json=args.json)
    return 0
