"""``switchboard watch``, ``bench-sync`` and ``bench-load``: the change feed and its benchmarks."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from console.cli.person import needs_no_person
from console.domain import Change
from console.errors import ValidationError

BENCHMARK = "a benchmark works on data of its own, not on customer records"


def register(sub: Any) -> None:
    watch = sub.add_parser("watch", help="print each change as one JSON line as soon as it is known")
    watch.add_argument("--from-seq", type=int, metavar="SEQ",
                       help="also print the changes after SEQ (default: only new ones)")
    watch.add_argument("--count", type=int, metavar="N", help="stop after N changes")
    watch.set_defaults(func=cmd_watch)
    bench = sub.add_parser("bench-sync", help=(
        "time how soon a change made by one workstation process reaches another"))
    bench.add_argument("--changes", type=int, default=60, help="changes to time (default 60)")
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(func=cmd_bench_sync)
    load = sub.add_parser("bench-load", help=(
        "simulated agents claim and resolve contacts at once; checks none is lost or doubled"))
    load.add_argument("--agents", type=int, default=50, help="simulated agents (default 50)")
    load.add_argument("--contacts", type=int, default=10_000, help="contacts (default 10,000)")
    load.add_argument("--json", action="store_true")
    load.set_defaults(func=cmd_bench_load)


def change_line(change: Change) -> str:
    """One change as the JSON line ``watch`` prints."""
    return json.dumps({"seq": change.seq, "entity": change.entity, "id": change.entity_id,
                       "op": change.op, "at": change.at.isoformat()}, ensure_ascii=False)


@needs_no_person("a change names only the kind of record and its id, never its content")
def cmd_watch(args: argparse.Namespace) -> int:
    from console.cli.person import command_services
    from console.sync.follow import ChangeFollower

    if args.count is not None and args.count < 1:
        raise ValidationError("--count must be at least 1.")
    with command_services(args) as services:
        follower = ChangeFollower(services.db, start_seq=args.from_seq,
                                  on_connection=_connection)
        printed = 0
        try:
            for batch in follower.batches():
                for change in batch:
                    print(change_line(change), flush=True)
                    printed += 1
                    if args.count is not None and printed >= args.count:
                        return 0
        finally:
            follower.stop()
    return 0


def _connection(up: bool) -> None:
    # stderr, so that stdout stays pure JSON lines for scripts.
    print("switchboard: watching for changes" if up else
          "switchboard: lost the database; reconnecting", file=sys.stderr, flush=True)


@needs_no_person(BENCHMARK)
def cmd_bench_sync(args: argparse.Namespace) -> int:
    from console.cli.output import print_json
    from console.sync.bench import format_sync_report, run_sync_bench

    if args.changes < 5:
        raise ValidationError("--changes must be at least 5.")
    result = run_sync_bench(args.db, changes=args.changes)
    if args.json:
        print_json(result)
    else:
        print(format_sync_report(result))
    return 0


@needs_no_person(BENCHMARK)
def cmd_bench_load(args: argparse.Namespace) -> int:
    from console.cli.output import print_json
    from console.sync.load import format_load_report, run_load

    report = run_load(args.db, agents=args.agents, contacts=args.contacts)
    if args.json:
        print_json({**dataclasses.asdict(report), "ok": report.ok})
    else:
        print(format_load_report(report))
    return 0 if report.ok else 1
