"""Hostile arguments to every ``switchboard`` command: one clear line, never a bug, nothing changed.

The commands are discovered from the real parser (the UI's run, screenshot
and bench-ui included), so a new command or option is fuzzed without
editing this file. Each example hands one argument a hostile value (huge or
negative numbers, empty or 10,000-character text, NUL and other control
characters, undecodable bytes, odd Unicode) and runs ``main()`` in this
process against a small migrated SQLite database.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from console.cli.main import EXIT_BUG, build_parser, main
from console.clock import ManualClock
from console.store.db import Database
from console.store.models import AuditEvent, ChangeLogEntry
from tests.factories import World, small_world
from ui.cli import COMMANDS as UI_COMMANDS

# Running these takes minutes, opens a window or waits for changes for ever:
# they only meet values that parsing must refuse.
PARSE_ONLY = {"demo", "bench", "watch", "bench-sync", "bench-load", "run", "screenshot",
              "bench-ui"}
SKIPPED_OPTIONS = {"-h", "--db", "--password-stdin"}  # the URL is the fixture's; stdin is given
OK_EXITS = {0, 2, 3, 4}  # 4: tampered audit log, or (soon) "sign in first"
OVERFLOW = "999999999999999999999"  # the driver cannot bind it: once an internal error
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Valid values for required arguments other than the one under attack, by dest.
BASELINE = {"agent": "emma", "login": "emma", "user": "emma", "query": "smith",
            "name": "Cards", "queue": "Cards", "timezone": "Asia/Tokyo",
            "hours": "mon-fri 09:00-18:00", "first_response": "600", "resolution": "3600"}
FALLBACKS = ("emma", "1", "60", "0.5", "Cards")


@dataclass(frozen=True)
class Argument:
    """One argument of one command, as the parser knows it."""

    action: argparse.Action

    @property
    def label(self) -> str:
        """How argparse names it in an error: ``--limit`` or ``CUSTOMER_ID``."""
        if self.action.option_strings:
            return max(self.action.option_strings, key=len)
        return str(self.action.metavar or self.action.dest)

    def argv(self, value: str) -> list[str]:
        # "--opt=value" and positionals after "--": a value that starts with "-"
        # reaches the argument's type, not argparse's option matching.
        return [f"{self.label}={value}"] if self.action.option_strings else [value]


@dataclass(frozen=True)
class CommandSpec:
    path: tuple[str, ...]
    arguments: tuple[Argument, ...]
    flags: tuple[str, ...]  # always given: never prompt on a terminal

    @property
    def name(self) -> str:
        return " ".join(self.path)


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> Iterator[CommandSpec]:
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers and path:
        args = tuple(Argument(a) for a in parser._actions if _fuzzable(a))
        flags = tuple(s for a in parser._actions for s in a.option_strings
                      if s == "--password-stdin")
        yield CommandSpec(path, args, flags)
    for sub in subparsers:
        for name, child in sub.choices.items():
            yield from _leaves(child, (*path, name))


def _fuzzable(action: argparse.Action) -> bool:
    if set(action.option_strings) & SKIPPED_OPTIONS:
        return False
    return action.nargs != 0  # flags (store_true, help, version) take no value


COMMANDS = tuple(_leaves(build_parser(UI_COMMANDS), ()))

_control = st.characters(categories=["Cc"])
_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
MUST_REFUSE = st.one_of(
    st.integers(min_value=10**20, max_value=10**40).map(str),
    st.integers(min_value=10**20, max_value=10**40).map(lambda n: f"-{n}"),
    st.tuples(_text, _control, _text).map("".join),
    st.tuples(_text, st.characters(categories=["Cs"]), _text).map("".join),  # argv not UTF-8
    st.integers(5000, 10_000).map(lambda n: "\U0001f600" * n),
)
HOSTILE = st.one_of(
    MUST_REFUSE,
    st.integers().map(str),
    st.sampled_from(["", " ", "0", "-0", "+1", "1e9", "nan", "inf", "0x10", "1_000", "１２",
                     "٣", "-", "--", "'; DROP TABLE agents; --", "%", "\u202e", "\ufeff"]),
    _text,
)


@pytest.fixture
def cli_db(tmp_path: Path, clock: ManualClock, _sqlite_template: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, World]]:
    """A small world in a SQLite file, with the working directory in an empty folder."""
    path = tmp_path / "fuzz.db"
    shutil.copy(_sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    world = small_world(db, clock)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # a relative path typed by the fuzzer lands here
    yield f"sqlite:///{path}", world
    db.dispose()


def _footprint(world: World) -> tuple[Any, ...]:
    with world.services.db.read() as s:
        return (s.execute(select(func.max(ChangeLogEntry.seq))).scalar(),
                s.execute(select(func.count()).select_from(AuditEvent)).scalar())


def _baseline(argument: Argument, world: World) -> str:
    action = argument.action
    if action.choices:
        return str(next(iter(action.choices)))
    if action.dest in ("contact_id", "contact"):
        return str(world.contacts[0].id)
    if action.dest in BASELINE:
        return BASELINE[action.dest]
    for candidate in FALLBACKS:
        try:
            action.type(candidate) if callable(action.type) else candidate
        except (argparse.ArgumentTypeError, ValueError, TypeError):
            continue
        return candidate
    raise AssertionError(f"no valid value known for {argument.label}; add one to BASELINE")


def _argv(spec: CommandSpec, world: World, attacked: int, value: str) -> list[str]:
    options: list[str] = [*spec.flags]
    positionals: list[str] = []
    for i, argument in enumerate(spec.arguments):
        if i == attacked:
            given = argument.argv(value)
        elif argument.action.required or not argument.action.option_strings:
            given = argument.argv(_baseline(argument, world))
        else:
            continue
        (options if argument.action.option_strings else positionals).extend(given)
    if attacked == len(spec.arguments):
        positionals.append(value)
    return [*spec.path, *options, "--", *positionals]


def _refused_at_parse(err: str) -> bool:
    return bool(re.fullmatch(r"switchboard[^\n]*\(see 'switchboard[^\n]*--help'\)\n", err))


def _run(spec: CommandSpec, cli: tuple[str, World], capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch, attacked: int, value: str) -> bool:
    """Runs one attack and checks its outcome; True when parsing refused it."""
    url, world = cli
    argv = ["--db", url, *_argv(spec, world, attacked, value)]
    monkeypatch.setattr("sys.stdin", io.StringIO("not-the-password\n"))
    before = _footprint(world)
    code = main(argv)  # an uncaught exception fails the test by itself
    out, err = capsys.readouterr()
    assert code != EXIT_BUG and code in OK_EXITS, (argv, code, err)
    assert "Traceback" not in err and "Traceback" not in out, argv
    if code != 0:
        assert err.count("\n") <= 1 and err.startswith("switchboard"), (argv, err)
    refused = _refused_at_parse(err)
    if refused or code == 3:
        assert _footprint(world) == before, (argv, err)  # a refused command changed something
    if spec.path[0] in PARSE_ONLY:
        assert refused, (argv, err)  # it must not have run
    return refused


@pytest.mark.parametrize("spec", COMMANDS, ids=[c.name for c in COMMANDS])
def test_hostile_arguments_get_one_clear_line(
        spec: CommandSpec, cli_db: tuple[str, World], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Index len(arguments) is an extra positional nobody asked for.
    refusals: dict[int, int] = dict.fromkeys(range(len(spec.arguments) + 1), 0)
    values = MUST_REFUSE if spec.path[0] in PARSE_ONLY else HOSTILE

    @FUZZ
    @given(attacked=st.integers(0, len(spec.arguments)), value=values)
    def attack(attacked: int, value: str) -> None:
        if _run(spec, cli_db, capsys, monkeypatch, attacked, value):
            refusals[attacked] += 1

    for i in refusals:  # every argument meets a NUL and a number no column can hold
        attack = example(attacked=i, value="ab\x00c")(attack)
        attack = example(attacked=i, value=OVERFLOW)(attack)
    attack()
    missed = [a.label for i, a in enumerate(spec.arguments) if not refusals[i]]
    assert not missed, f"{spec.name}: these accepted a NUL and a 21-digit number: {missed}"
    assert refusals[len(spec.arguments)], "an unexpected extra argument was not refused"


def test_every_command_is_fuzzed() -> None:
    names = {c.name for c in COMMANDS}
    assert {"history", "claim", "inbox", "sla policy", "users set-role", "run",
            "screenshot", "bench-load"} <= names  # the tools join through their entry point
    assert len(names) >= 25


def test_history_with_a_number_too_big_for_the_database(
        cli_db: tuple[str, World], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", cli_db[0], "history", OVERFLOW])
    _, err = capsys.readouterr()
    assert code == 2 and err == ("switchboard history: argument CUSTOMER_ID: must be from 1 to "
                                 "2,147,483,647 (see 'switchboard history --help')\n")
