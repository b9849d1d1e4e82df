"""``switchboard signin`` and ``signout``: a working day's session for the commands in between.

The database keeps only the session token's hash (console.services.auth);
the token itself stays on this workstation (console.cli.session_store), and
the output says where.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from console.cli import args as arg
from console.cli.person import command_services, needs_no_person, os_user, read_password
from console.config import Settings, config_path
from console.errors import Unavailable, ValidationError

MAX_SESSION_HOURS = 7 * 24


def register(sub: Any) -> None:
    signin = sub.add_parser("signin", help=(
        "sign in for the commands that follow, until 'signout' or the end of the working day"))
    signin.add_argument("login", type=arg.login, metavar="LOGIN")
    signin.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    signin.set_defaults(func=cmd_signin)
    signout = sub.add_parser("signout", help="end the session of 'switchboard signin'")
    signout.set_defaults(func=cmd_signout)


def session_length(settings: Settings) -> timedelta:
    """How long a session lasts (``cli_session_hours`` in the config file)."""
    hours = settings.cli_session_hours
    if isinstance(hours, bool) or not isinstance(hours, int | float) \
            or not 0 < hours <= MAX_SESSION_HOURS:
        raise ValidationError(f"{config_path()}: cli_session_hours is a number of hours "
                              f"above 0 and at most {MAX_SESSION_HOURS}.")
    return timedelta(hours=hours)


@needs_no_person("it is how a person signs in")
def cmd_signin(args: argparse.Namespace) -> int:
    from console.cli.session_store import SessionStore
    from console.security.guard import Entrance

    with command_services(args) as sv:
        lasting = session_length(sv.settings)
        entrance, who = Entrance(sv), os_user()
        password = read_password(args, f"Password for {args.login}: ")
        door = entrance.sign_in(args.login, password, workstation=sv.settings.workstation,
                                os_user=who)
        store = SessionStore(sv.db.describe())
        previous = store.load()
        if previous:  # one session per database here: the new one replaces it
            entrance.end_session(previous, os_user=who)
        session = entrance.open_session(door, lasting=lasting)
        try:
            where = store.save(session.token)
        except OSError as exc:
            entrance.end_session(session.token, os_user=who)
            raise Unavailable(f"There is no keyring and {store.file} cannot be written "
                              f"({exc.strerror}); nobody is signed in.") from None
        until = session.expires_at.astimezone(ZoneInfo(sv.settings.timezone))
    person = door.principal
    print(f"Signed in as {person.name} ({person.role.value}) until "
          f"{until:%Y-%m-%d %H:%M %Z}; the session is kept in {where}.")
    return 0


@needs_no_person("it ends the session of 'switchboard signin'")
def cmd_signout(args: argparse.Namespace) -> int:
    from console.cli.session_store import SessionStore
    from console.security.guard import Entrance

    with command_services(args) as sv:
        store = SessionStore(sv.db.describe())
        token = store.load()
        # Revoked in the database first: if that fails the copy here stays, to try again.
        person = Entrance(sv).end_session(token, os_user=os_user()) if token else None
        store.clear()
    print(f"Signed out {person.name}; the session is revoked and its copy here removed."
          if person else "Nobody was signed in.")
    return 0
