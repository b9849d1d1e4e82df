"""Security subcommands: ``audit``, ``users`` and the ``branch`` look-ups.

Each acts as the signed-in person (console.cli.person) through the guarded
services, so the permission matrix decides and reading the audit log is
itself audited. The one exception is ``users create-admin``: the first
administrator of a database that has none, when there is nobody to sign in as.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from console.cli import args as arg
from console.cli.output import print_json, print_table, when
from console.cli.person import command_services, needs_no_person, os_user, read_password, signed_in
from console.domain import Role
from console.domain.audit import AuditFilter
from console.domain.branch import LOOKUP_KINDS
from console.errors import ValidationError

if TYPE_CHECKING:
    from console.security.guard import Door

# Not 4: that is "nobody is signed in" (console.errors.SignInRequired), and a
# script checking the log must never mistake one for the other.
EXIT_TAMPERED = 5


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="the tamper-evident audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = asub.add_parser("verify", help="check the hash chain (exit 5 names the first bad entry)")
    verify.add_argument("--expect-head", type=arg.text(128, "the hash"), metavar="HASH",
                        help="a head hash recorded earlier; fails if it is gone (a cut-off end)")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=cmd_audit_verify)
    lst = asub.add_parser("list", help="list entries by person, customer and time")
    _filters(lst)
    lst.add_argument("--limit", type=arg.limit(10_000), default=200)
    lst.set_defaults(func=cmd_audit_list)
    export = asub.add_parser("export", help="export entries as JSON or CSV (recorded in the log)")
    _filters(export)
    export.add_argument("--output", type=arg.path, metavar="FILE", help="write here, not to stdout")
    export.set_defaults(func=cmd_audit_export)
    users = sub.add_parser("users", help="sign-in accounts")
    usub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    first = usub.add_parser("create-admin", help=(
        "create the first administrator (only while the database has none)"))
    first.add_argument("login", type=arg.login, metavar="LOGIN")
    first.add_argument("--name", type=arg.name, metavar="NAME", help="the display name (default: the login)")
    first.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input")
    first.set_defaults(func=cmd_users_create_admin)
    setpw = usub.add_parser("set-password", help="set or reset an agent's password")
    setpw.add_argument("login", type=arg.login, metavar="LOGIN")
    setpw.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input")
    setpw.set_defaults(func=cmd_users_set_password)
    role = usub.add_parser("set-role", help="give an agent another role")
    role.add_argument("login", type=arg.login, metavar="LOGIN")
    role.add_argument("role", choices=[r.value for r in Role.of_people()])
    role.set_defaults(func=cmd_users_set_role)
    for name, text, func in (("unlock", "lift a sign-in lockout", cmd_users_unlock),
                             ("deactivate", "stop a leaver signing in", cmd_users_deactivate)):
        action = usub.add_parser(name, help=text)
        action.add_argument("login", type=arg.login, metavar="LOGIN")
        action.set_defaults(func=func)
    _branch(sub)


def _branch(sub: Any) -> None:
    p = sub.add_parser("branch", help="branch counter look-ups")
    bsub = p.add_subparsers(dest="branch_command", metavar="ACTION", required=True)
    lookup = bsub.add_parser("lookup", help="find a customer by name, phone, account or birth date")
    lookup.add_argument("query", type=arg.query, metavar="QUERY")
    lookup.add_argument("--by", default="auto", choices=list(LOOKUP_KINDS))
    card = bsub.add_parser("card", help="a customer's card, numbers masked")
    card.add_argument("customer_id", type=arg.row_id, metavar="CUSTOMER_ID")
    for action, func in ((lookup, cmd_branch_lookup), (card, cmd_branch_card)):
        action.add_argument("--json", action="store_true")
        action.set_defaults(func=func)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--person", type=arg.login, metavar="LOGIN", help="who acted")
    p.add_argument("--customer", type=arg.row_id, metavar="ID", help="entries about this customer")
    p.add_argument("--since", type=arg.text(40, "the time"), metavar="TIME",
                   help="from this date or ISO time (UTC if no zone)")
    p.add_argument("--until", type=arg.text(40, "the time"), metavar="TIME",
                   help="before this date or ISO time")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")


def parse_time(value: str | None, option: str) -> datetime | None:
    """An ISO date or time from the command line; naive values are UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"{option} takes a date like 2026-11-30 or a time like "
                              "2026-11-30T09:00+09:00.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _filter(args: argparse.Namespace) -> AuditFilter:
    return AuditFilter(person=args.person, customer_id=args.customer,
                       since=parse_time(args.since, "--since"),
                       until=parse_time(args.until, "--until"))


@signed_in
def cmd_audit_verify(args: argparse.Namespace, door: Door) -> int:
    report = door.audit.verify(expect_head=args.expect_head)
    if args.json:
        print_json(report)
    elif report.intact:
        print(f"Audit log intact: {report.checked} entries, head {report.head_hash}.")
    if not report.intact:
        where = f"entry {report.first_bad_id}: " if report.first_bad_id is not None else ""
        print(f"switchboard: audit log tampered: {where}{report.reason} "
              f"({report.checked} entries checked before it).", file=sys.stderr)
        return EXIT_TAMPERED
    return 0


@signed_in
def cmd_audit_list(args: argparse.Namespace, door: Door) -> int:
    f = _filter(args)
    if args.json or args.csv:  # machine-readable entries leave as an export, audited as one
        sys.stdout.write(door.audit.export(f, fmt="csv" if args.csv else "json",
                                           limit=args.limit) + ("" if args.csv else "\n"))
        return 0
    entries = door.audit.list(f, limit=args.limit)
    print_table(["ID", "WHEN", "WHO", "WORKSTATION", "ACTION", "ENTITY", "DETAIL"],
                [(e.id, when(e.at), e.actor_login or "-", e.workstation or "-", e.action,
                  f"{e.entity} {e.entity_id}", _short(e.detail)) for e in entries])
    return 0


@signed_in
def cmd_audit_export(args: argparse.Namespace, door: Door) -> int:
    f = _filter(args)
    text = door.audit.export(f, fmt="csv" if args.csv else "json")
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _new_password(args: argparse.Namespace, login: str) -> str:
    """A new password: the next line of standard input, or typed twice at the terminal."""
    password = read_password(args, f"New password for {login}: ")
    if not args.password_stdin and read_password(args, "Again: ") != password:
        raise ValidationError("The two passwords differ; nothing was changed.")
    return password


@signed_in
def cmd_users_set_password(args: argparse.Namespace, door: Door) -> int:
    door.auth.set_password(args.login, _new_password(args, args.login), actor=door.principal)
    print(f"Password set for {args.login}.")
    return 0


@needs_no_person("it creates the first administrator, only while the database has none")
def cmd_users_create_admin(args: argparse.Namespace) -> int:
    from console.security.guard import Entrance

    password = _new_password(args, args.login)
    with command_services(args) as sv:
        admin = Entrance(sv).create_first_admin(args.login, args.name or args.login, password,
                                                os_user=os_user())
    print(f"Administrator {admin.name} ({admin.login}) created. Sign in with "
          f"'switchboard signin {admin.login}'.")
    return 0


@signed_in
def cmd_users_set_role(args: argparse.Namespace, door: Door) -> int:
    door.staff.set_role(args.login, Role(args.role), actor=door.principal)
    print(f"{args.login} is now {args.role}.")
    return 0


@signed_in
def cmd_users_unlock(args: argparse.Namespace, door: Door) -> int:
    door.staff.unlock(args.login, actor=door.principal)
    print(f"{args.login} may sign in again.")
    return 0


@signed_in
def cmd_users_deactivate(args: argparse.Namespace, door: Door) -> int:
    door.staff.deactivate(args.login, actor=door.principal)
    print(f"{args.login} can no longer sign in.")
    return 0


@signed_in
def cmd_branch_lookup(args: argparse.Namespace, door: Door) -> int:
    rows = door.branch.lookup(door.principal, args.query, by=args.by)
    if args.json:
        print_json(rows)
    else:
        print_table(["ID", "NAME", "KANA", "BORN", "PHONE"],
                    [(r.id, r.display_name, r.name_kana or "", r.birth_year or "-",
                      f"…{r.phone_hint}" if r.phone_hint else "-") for r in rows])
    return 0


@signed_in
def cmd_branch_card(args: argparse.Namespace, door: Door) -> int:
    card = door.branch.card(door.principal, args.customer_id)
    if args.json:
        print_json(card)
        return 0
    print(f"{card.display_name} ({card.name_kana or '-'}), born {card.date_of_birth or '-'}, "
          f"national ID {card.national_id or '-'}")
    print(f"Phones: {', '.join(card.phones) or '-'}   E-mail: {', '.join(card.emails) or '-'}")
    print_table(["PRODUCT", "NUMBER", "STATUS"],
                [(a.product, a.masked_number, a.status) for a in card.accounts])
    for app in card.applications:
        print(f"Application {app.reference or app.id}: {app.kind}, {app.status}")
    for appt in card.appointments:
        print(f"Appointment {when(appt.starts_at)} {appt.location}: {appt.purpose}")
    for c in card.complaints:
        print(f"Complaint {c.id} ({c.status}): {c.summary}")
    return 0


def _short(detail: dict[str, Any]) -> str:
    text = " ".join(f"{k}={v}" for k, v in sorted(detail.items()))
    return text if len(text) <= 60 else text[:59] + "…"
