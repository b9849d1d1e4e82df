"""``switchboard watch``: the change feed, one JSON line per change."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from console.cli import args as arg
from console.domain import Change
from console.errors import ValidationError


def register(sub: Any) -> None:
    watch = sub.add_parser("watch", help="print each change as one JSON line as soon as it is known")
    watch.add_argument("--from-seq", type=arg.change_seq, metavar="SEQ",
                       help="also print the changes after SEQ (default: only new ones)")
    watch.add_argument("--count", type=arg.whole_number(1, arg.INT64_MAX), metavar="N",
                       help="stop after N changes")
    watch.set_defaults(func=cmd_watch)


def change_line(change: Change) -> str:
    """One change as the JSON line ``watch`` prints."""
    return json.dumps({"seq": change.seq, "entity": change.entity, "id": change.entity_id,
                       "op": change.op, "at": change.at.isoformat()}, ensure_ascii=False)


def cmd_watch(args: argparse.Namespace) -> int:
    from console.cli.commands import command_services
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
