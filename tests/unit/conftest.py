"""Unit-test fixtures shared by the service and CLI tests."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from console.clock import ManualClock
from console.store.db import Database
from tests.factories import CLI_PASSWORD, World, run_cli, small_world


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    """The small contact centre of tests/factories.py (a module may define its own)."""
    return small_world(db, clock)


@pytest.fixture
def cli_signin(world: World, db_url: str, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> Callable[[str], str]:
    """Signs a person of the world in with 'switchboard signin' (password on stdin).

    The person gets CLI_PASSWORD first; the returned function gives the output.
    """
    def sign_in(login: str) -> str:
        world.services.auth.set_password(login, CLI_PASSWORD)
        monkeypatch.setattr("sys.stdin", io.StringIO(CLI_PASSWORD + "\n"))
        code, out, err = run_cli(capsys, db_url, "signin", login, "--password-stdin")
        assert code == 0, err
        return out

    return sign_in
