"""Who a command acts as: the person of ``switchboard signin``, or of ``--user`` for one command.

Commands that read or change customer, contact or audit records are wrapped
with ``signed_in`` and get a Door for that person, never the raw services, so
the permission matrix runs and the audit entries name the person, the
workstation and the OS user. Every other command is wrapped with
``needs_no_person(reason)``. ``add_person_options`` then gives each signed-in
command ``--user``/``--password-stdin`` and makes every command's help say
which kind it is.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from console.cli import args as arg
from console.errors import SignInRequired, ValidationError

if TYPE_CHECKING:
    from console.app import Services
    from console.security.guard import Door

NOBODY = ("Nobody is signed in: run 'switchboard signin LOGIN' or pass "
          "--user LOGIN --password-stdin.")
SIGNED_IN_HELP = (
    "Acts as a signed-in person: the one of 'switchboard signin LOGIN', or --user LOGIN for "
    "this command only (its password from the terminal or, with --password-stdin, the first "
    "line of standard input; passwords read from it come one per line, the signer's first). "
    "Exits 4 when nobody is signed in.")


@contextmanager
def command_services(args: argparse.Namespace) -> Iterator[Services]:
    """The services for one command, closed when it is done."""
    from console.app import open_services

    services = open_services(args.db)
    try:
        yield services
    finally:
        services.close()


class SignedInCommand:
    """A command that acts as a person: it runs with that person's Door.

    Args:
        run: the command; gets the parsed arguments and the door.
    """

    needs_person = True

    def __init__(self, run: Callable[[argparse.Namespace, Door], int]) -> None:
        self._run = run
        self.__doc__ = run.__doc__

    def __call__(self, args: argparse.Namespace) -> int:
        with command_services(args) as services:
            return self._run(args, open_door(services, args))


class OpenCommand:
    """A command that needs nobody signed in, and the reason its help gives.

    Args:
        run: the command.
        reason: why it needs no person, completing "Needs no signed-in person: ...".
    """

    needs_person = False

    def __init__(self, run: Callable[[argparse.Namespace], int], reason: str) -> None:
        self._run = run
        self.reason = reason
        self.__doc__ = run.__doc__

    def __call__(self, args: argparse.Namespace) -> int:
        return self._run(args)


def signed_in(run: Callable[[argparse.Namespace, Door], int]) -> SignedInCommand:
    """Marks ``run`` as acting for the signed-in person (see the module docstring)."""
    return SignedInCommand(run)


def needs_no_person(reason: str) -> Callable[[Callable[[argparse.Namespace], int]], OpenCommand]:
    """Marks a command as needing nobody signed in, for ``reason``."""
    return lambda run: OpenCommand(run, reason)


def open_door(services: Services, args: argparse.Namespace) -> Door:
    """The Door for ``--user`` (signing in now) or for this workstation's session.

    Raises:
        SignInRequired: nobody is signed in, or the session has ended.
        SignInFailed: a wrong login or password for ``--user``.
    """
    from console.cli.session_store import SessionStore
    from console.security.guard import Entrance

    entrance = Entrance(services)
    workstation, who = services.settings.workstation, os_user()
    login = getattr(args, "user", None)
    if login is not None:
        password = read_password(args, f"Password for {login}: ")
        return entrance.sign_in(login, password, workstation=workstation, os_user=who)
    store = SessionStore(services.db.describe())
    token = store.load()
    door = entrance.resume_session(token, workstation=workstation, os_user=who) if token else None
    if door is None:
        if token:
            store.clear()  # the session has ended: the copy here is of no use any more
        raise SignInRequired(NOBODY)
    return door


def read_password(args: argparse.Namespace, prompt: str) -> str:
    """The next password: a line of standard input with --password-stdin, else the terminal.

    Several passwords (the signer's, then a new one) come one per line, in that order.
    """
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValidationError("No terminal to ask for the password; use --password-stdin.")
    return getpass.getpass(prompt)


def os_user() -> str:
    """The operating-system account running this command (audit entries name it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid with no passwd entry (some containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else ""


def add_person_options(parser: argparse.ArgumentParser) -> None:
    """Gives every signed-in command its sign-in options, and every command its sentence.

    Walks the subcommands of ``parser``: a signed-in command gets ``--user``
    and ``--password-stdin`` (unless it has its own) and says so in its help;
    a command that needs no person says that and why.
    """
    for command in _commands(parser):
        run = command.get_default("func")
        if isinstance(run, SignedInCommand):
            _sign_in_options(command)
            command.epilog = SIGNED_IN_HELP
        elif isinstance(run, OpenCommand):
            command.epilog = f"Needs no signed-in person: {run.reason}."


def _sign_in_options(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("who acts")
    group.add_argument("--user", type=arg.login, metavar="LOGIN",
                       help="sign in as LOGIN for this command only (default: the person of "
                            "'switchboard signin')")
    # A command that reads passwords from stdin already has the option; they come one per line.
    with contextlib.suppress(argparse.ArgumentError):
        group.add_argument("--password-stdin", action="store_true",
                           help="read the password from the first line of standard input")


def _commands(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every command below ``parser`` that runs something (``customers find``, not ``customers``)."""
    # argparse has no public way to list subparsers; _SubParsersAction is stable since 3.2.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if child.get_default("func") is not None:
                    yield child
                yield from _commands(child)
