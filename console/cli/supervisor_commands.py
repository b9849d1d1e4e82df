"""Supervisor subcommands: ``queues`` (the wallboard for scripts) and ``sla`` set-up.

The wallboard and every change act as the signed-in person (console.cli.person),
so the permission matrix decides and the changes are audited; listing the SLA
policies shows configuration only and needs nobody.
"""

from __future__ import annotations

import argparse
import re
from datetime import time
from typing import TYPE_CHECKING, Any

from console.cli import args as arg
from console.cli.output import print_json, print_table
from console.cli.person import command_services, needs_no_person, signed_in
from console.domain import Channel
from console.errors import ValidationError

if TYPE_CHECKING:
    from console.domain.sla import MonitorSnapshot
    from console.security.guard import Door

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\w{3})(?:-(\w{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def register(sub: Any) -> None:
    q = sub.add_parser("queues", help="live per-queue and per-agent figures (the wallboard)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_queues)
    sla = sub.add_parser("sla", help="SLA policies, business calendars and queue settings")
    ssub = sla.add_subparsers(dest="sla_command", metavar="ACTION", required=True)
    _policy(ssub)
    cal = ssub.add_parser("calendar", help="create a business calendar")
    cal.add_argument("name", type=arg.name)
    cal.add_argument("--timezone", type=arg.text(64, "the time zone"), required=True, metavar="TZ",
                     help="e.g. Asia/Tokyo")
    cal.add_argument("--hours", type=arg.text(40, "the hours"), action="append", required=True,
                     metavar="SPEC", help="'mon-fri 09:00-18:00' (repeat for more spans)")
    cal.add_argument("--holidays", type=arg.text(8, "the country"), metavar="COUNTRY",
                     help="add public holidays, e.g. JP")
    cal.add_argument("--year", type=arg.year, action="append", default=[], help="holiday year (repeat)")
    cal.set_defaults(func=cmd_calendar)
    queue = ssub.add_parser("queue", help="set a queue's calendar, priority or service-level goal")
    queue.add_argument("name", type=arg.name)
    queue.add_argument("--calendar", type=arg.name, help="calendar name ('' for always open)")
    queue.add_argument("--priority", type=int, choices=[1, 2, 3, 4])
    queue.add_argument("--goal", type=arg.ratio, help="service-level goal, e.g. 0.8")
    queue.add_argument("--answer-within", type=arg.seconds, metavar="SECONDS")
    queue.set_defaults(func=cmd_queue)


def _policy(ssub: Any) -> None:
    lst = ssub.add_parser("policies", help="list SLA policies")
    lst.add_argument("--queue", type=arg.name)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_policies)
    pol = ssub.add_parser("policy", help="set the policy for queue x priority x channel")
    pol.add_argument("queue", type=arg.name)
    pol.add_argument("--first-response", type=arg.seconds, required=True, metavar="SECONDS")
    pol.add_argument("--resolution", type=arg.seconds, required=True, metavar="SECONDS")
    pol.add_argument("--warning", type=arg.ratio, default=0.8, help="warning at this share of the target")
    pol.add_argument("--priority", type=int, choices=[1, 2, 3, 4])
    pol.add_argument("--channel", choices=[c.value for c in Channel])
    pol.set_defaults(func=cmd_policy)


@signed_in
def cmd_queues(args: argparse.Namespace, door: Door) -> int:
    snap = door.monitor.snapshot()
    if args.json:
        print_json(snap)
    else:
        _print_snapshot(snap)
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _secs(value: float | None) -> str:
    """"5:09" under an hour, "1:05:09" beyond, "-" for no value."""
    if value is None:
        return "-"
    s = int(value)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _print_snapshot(snap: MonitorSnapshot) -> None:
    print_table(("QUEUE", "WAITING", "LONGEST", "SL TODAY", "SL 30M", "AHT", "ABANDON",
                 "BREACHES", "AGENTS", "NEEDED"),
                [(q.queue, q.waiting, _secs(q.longest_wait_s), _pct(q.service_level_today),
                  _pct(q.service_level_30m), _secs(q.aht_s), _pct(q.abandonment_rate), q.breaches,
                  q.agents_available, "-" if q.agents_needed is None else q.agents_needed)
                 for q in snap.queues])
    print()
    print_table(("AGENT", "STATE", "IN STATE", "CONTACT", "HANDLED", "AHT"),
                [(a.login, a.state.value, _secs(a.time_in_state_s), a.current_contact_id or "-",
                  a.handled_today, _secs(a.aht_s)) for a in snap.agents])


@needs_no_person("SLA policies are configuration, not customer records")
def cmd_policies(args: argparse.Namespace) -> int:
    with command_services(args) as sv:
        rows = sv.sla.policies(args.queue)
    if args.json:
        print_json(rows)
        return 0
    print_table(("ID", "QUEUE", "PRIORITY", "CHANNEL", "FIRST RESPONSE", "RESOLUTION", "WARNING"),
                [(p.id, p.queue, p.priority or "any", p.channel or "any",
                  p.first_response_target_s, p.resolution_target_s, p.warning_ratio)
                 for p in rows])
    return 0


@signed_in
def cmd_policy(args: argparse.Namespace, door: Door) -> int:
    policy = door.sla.set_policy(
        args.queue, first_response_target_s=args.first_response,
        resolution_target_s=args.resolution, warning_ratio=args.warning,
        priority=args.priority, channel=Channel(args.channel) if args.channel else None)
    print(f"Policy {policy.id} set for {policy.queue}; open contacts recomputed.")
    return 0


def parse_hours(specs: list[str]) -> dict[int, list[tuple[time, time]]]:
    """Turns ['mon-fri 09:00-18:00', 'sat 10:00-14:00'] into weekday -> spans."""
    week: dict[int, list[tuple[time, time]]] = {}
    for spec in specs:
        m = _SPAN.match(spec.strip().lower())
        if not m or m[1] not in DAYS or (m[2] and m[2] not in DAYS):
            raise ValidationError(f"'{spec}' is not like 'mon-fri 09:00-18:00'.")
        first, last = DAYS.index(m[1]), DAYS.index(m[2] or m[1])
        try:
            span = (time(int(m[3]), int(m[4])), time(int(m[5]) % 24, int(m[6])))
        except ValueError:
            raise ValidationError(f"'{spec}' has an impossible time.") from None
        for day in range(first, last + 1):
            week.setdefault(day, []).append(span)
    return week


@signed_in
def cmd_calendar(args: argparse.Namespace, door: Door) -> int:
    hours = parse_hours(args.hours)
    cal = door.sla.create_calendar(args.name, args.timezone, hours)
    added = (door.sla.import_public_holidays(cal.name, args.holidays, args.year or [2026])
             if args.holidays else 0)
    print(f"Calendar '{cal.name}' created ({len(cal.hours)} opening spans, {added} holidays).")
    return 0


@signed_in
def cmd_queue(args: argparse.Namespace, door: Door) -> int:
    setup = door.sla.configure_queue(
        args.name, calendar=False if args.calendar is None else (args.calendar or None),
        priority=args.priority, service_level_goal=args.goal,
        answer_target_s=args.answer_within)
    print(f"{setup.queue}: calendar {setup.calendar or 'always open'}, priority {setup.priority}, "
          f"goal {setup.service_level_goal:.0%} within {setup.answer_target_s} s.")
    return 0
