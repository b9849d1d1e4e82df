"""Database and set-up subcommands: db upgrade, db set-password, demo, bench."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from console.cli import args as arg
from console.cli.output import print_json
from console.errors import ValidationError


def register(sub: Any) -> None:
    db = sub.add_parser("db", help="database administration")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser("upgrade", help="create or upgrade the schema to this version")
    up.set_defaults(func=cmd_upgrade)
    pw = dbsub.add_parser("set-password", help="store the PostgreSQL password in the OS keyring")
    pw.add_argument("--password-stdin", action="store_true",
                    help="read the password from standard input instead of prompting")
    pw.set_defaults(func=cmd_set_password)

    demo = sub.add_parser("demo", help="fill an empty database with realistic demo data")
    scale_options(demo, customers=2000, contacts=5000, articles=400)
    demo.add_argument("--json", action="store_true", help="print the report as JSON")
    demo.set_defaults(func=cmd_demo)


def scale_options(p: argparse.ArgumentParser, *, customers: int, contacts: int,
                   articles: int) -> None:
    p.add_argument("--customers", type=arg.scale, default=customers, help=f"default {customers:,}")
    p.add_argument("--contacts", type=arg.scale, default=contacts, help=f"default {contacts:,}")
    p.add_argument("--articles", type=arg.scale, default=articles, help=f"default {articles:,}")
    p.add_argument("--seed", type=arg.seed, default=42, help="random seed (same seed, same data)")


def cmd_upgrade(args: argparse.Namespace) -> int:
    from console.config import load_settings, resolve_url, with_keyring_password
    from console.store.db import Database
    from console.store.migrate import current_revision, head_revision, upgrade

    db = Database(with_keyring_password(resolve_url(args.db, load_settings())))
    try:
        before = current_revision(db)
        upgrade(db)
        print(f"{db.describe()}: schema {before or 'empty'} -> {head_revision()}")
    finally:
        db.dispose()
    return 0


def cmd_set_password(args: argparse.Namespace) -> int:
    from console.config import load_settings, resolve_url, store_password

    url = resolve_url(args.db, load_settings())
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        if not sys.stdin.isatty():
            raise ValidationError("No terminal to ask for the password; use --password-stdin.")
        password = getpass.getpass("PostgreSQL password: ")
    account = store_password(url, password)
    print(f"Password for {account} stored in the system keyring.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from console.app import open_services
    from console.demo import generate

    services = open_services(args.db)
    try:
        report = generate(services.db, customers=args.customers, contacts=args.contacts,
                          articles=args.articles, seed=args.seed, now=services.clock.now(),
                          progress=None if args.json else _progress)
    finally:
        services.close()
    if args.json:
        print_json(report)
    else:
        print(f"Demo data in {services.db.describe()}: {report}")
    return 0


def seed_demo_if_empty(url: str | None) -> None:
    """Fills an empty database with the demo contact centre (for ``switchboard --demo``).

    Needs nobody signed in: it only ever writes into a database with no contacts.
    """
    from console.app import open_services
    from console.demo.reference import DEMO_PASSWORD
    from console.demo.seed import seed_if_empty

    services = open_services(url)
    try:
        print("switchboard: preparing the demo data…", file=sys.stderr, flush=True)
        report = seed_if_empty(services.db, services.clock)
    finally:
        services.close()
    if report is None:
        print(f"switchboard: {services.db.describe()} already has data; opening it as it is.",
              file=sys.stderr)
        return
    print(f"switchboard: demo ready. Sign in as daniel (or any agent in 'switchboard agents') "
          f"with the password {DEMO_PASSWORD}.", file=sys.stderr)


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)

