"""Sign-in: argon2 hashes, lockout by the clock, "remember me" via the keyring."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from console.cli.main import main
from console.clock import ManualClock
from console.domain import Role
from console.errors import SignInFailed, ValidationError
from console.services.audit import AuditFilter, AuditService
from console.services.auth import KEYRING_SERVICE, KEYRING_USER, AuthService, LockoutPolicy
from console.store.db import Database
from console.store.models_security import RememberToken
from tests.conftest import MemoryKeyring
from tests.factories import World

PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def auth(world: World, db: Database, clock: ManualClock) -> AuthService:
    service = AuthService(db, clock, hasher=CHEAP,
                          policy=LockoutPolicy(max_failures=3, lock_for=timedelta(minutes=10)))
    service.set_password("emma", PASSWORD)
    return service


def test_password_is_stored_as_argon2_only(auth: AuthService, db: Database) -> None:
    with db.read() as s:
        stored = s.execute(text("SELECT password_hash FROM agents WHERE login = 'emma'")).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_returns_the_principal(auth: AuthService) -> None:
    who = auth.sign_in("emma", PASSWORD, workstation="WS-07")
    assert (who.login, who.role, who.workstation) == ("emma", Role.AGENT, "WS-07")


@pytest.mark.parametrize(("login", "password"), [("emma", "wrong password!"), ("nobody", PASSWORD),
                                                 ("sara", PASSWORD)])
def test_wrong_credentials_give_one_message(auth: AuthService, login: str, password: str) -> None:
    with pytest.raises(SignInFailed, match=r"^Wrong login or password\.$"):
        auth.sign_in(login, password)


def test_lockout_after_failures_until_the_clock_moves(auth: AuthService, clock: ManualClock,
                                                      db: Database) -> None:
    for _ in range(2):
        with pytest.raises(SignInFailed, match="Wrong"):
            auth.sign_in("emma", "not the password")
    with pytest.raises(SignInFailed, match="locked until"):
        auth.sign_in("emma", "not the password")
    with pytest.raises(SignInFailed, match="locked until"):
        auth.sign_in("emma", PASSWORD)  # even the right password waits
    clock.advance(timedelta(minutes=10, seconds=1))
    assert auth.sign_in("emma", PASSWORD).login == "emma"
    actions = [e.action for e in AuditService(db, clock).list(AuditFilter(person="emma"))]
    assert actions.count("sign_in_failed") == 3 and "sign_in_refused" in actions
    assert actions[-1] == "sign_in"


def test_success_resets_the_failure_count(auth: AuthService) -> None:
    for _ in range(2):
        with pytest.raises(SignInFailed):
            auth.sign_in("emma", "not the password")
    auth.sign_in("emma", PASSWORD)
    for _ in range(2):
        with pytest.raises(SignInFailed, match="Wrong"):
            auth.sign_in("emma", "not the password")


def test_set_password_lifts_a_lockout(auth: AuthService) -> None:
    for _ in range(3):
        with pytest.raises(SignInFailed):
            auth.sign_in("emma", "not the password")
    auth.set_password("emma", "a brand new password")
    assert auth.sign_in("emma", "a brand new password").login == "emma"


@pytest.mark.parametrize("bad", ["short", "x" * 2000, "tab\there ok!!"])
def test_weak_or_odd_passwords_are_refused(auth: AuthService, bad: str) -> None:
    with pytest.raises(ValidationError):
        auth.set_password("emma", bad)


def test_remember_me_keeps_only_a_token(auth: AuthService, db: Database,
                                        memory_keyring: MemoryKeyring) -> None:
    auth.sign_in("emma", PASSWORD, workstation="WS-07", remember=True)
    token = memory_keyring.store[(KEYRING_SERVICE, KEYRING_USER)]
    assert PASSWORD not in token and len(token) >= 40
    with db.read() as s:
        stored = s.execute(select(RememberToken.token_hash)).scalars().all()
    assert len(stored) == 1 and token not in stored[0]
    resumed = auth.resume(workstation="WS-07")
    assert resumed is not None and resumed.login == "emma"


def test_remember_me_expires_and_sign_out_forgets(auth: AuthService, clock: ManualClock,
                                                  memory_keyring: MemoryKeyring) -> None:
    who = auth.sign_in("emma", PASSWORD, remember=True)
    auth.sign_out(who)
    assert memory_keyring.store == {} and auth.resume() is None
    auth.sign_in("emma", PASSWORD, remember=True)
    clock.advance(timedelta(days=15))
    assert auth.resume() is None and memory_keyring.store == {}


def test_a_forged_keyring_token_signs_nobody_in(auth: AuthService,
                                                memory_keyring: MemoryKeyring) -> None:
    memory_keyring.store[(KEYRING_SERVICE, KEYRING_USER)] = "forged"
    assert auth.resume() is None


def test_cli_set_password_from_stdin(world: World, db_url: str, db: Database, clock: ManualClock,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough secret\n"))
    assert main(["--db", db_url, "users", "set-password", "kenji", "--password-stdin"]) == 0
    out, _ = capsys.readouterr()
    assert "a long enough secret" not in out
    assert AuthService(db, clock).sign_in("kenji", "a long enough secret").login == "kenji"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--db", db_url, "users", "set-password", "kenji", "--password-stdin"]) == 2
    assert "at least 10" in capsys.readouterr().err


def test_admin_changes_roles_unlocks_and_deactivates(world: World, auth: AuthService, db: Database,
                                                     clock: ManualClock,
                                                     memory_keyring: MemoryKeyring) -> None:
    from console.security.principal import Principal

    staff = world.services.staff
    root = world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    ada = Principal(root.id, root.login, root.name, root.role, "HQ")
    staff.set_role("emma", Role.SUPERVISOR, actor=ada)
    assert world.services.agents.get("emma").role is Role.SUPERVISOR
    last = AuditService(db, clock).list()[-1]
    assert last.actor_login == "root" and last.detail["role"] == {"old": "agent",
                                                                  "new": "supervisor"}
    for _ in range(3):
        with pytest.raises(SignInFailed):
            auth.sign_in("emma", "not the password")
    staff.unlock("emma", actor=ada)
    auth.sign_in("emma", PASSWORD, remember=True)
    staff.deactivate("emma", actor=ada)
    assert auth.resume() is None
    with pytest.raises(SignInFailed, match="Wrong"):
        auth.sign_in("emma", PASSWORD)
    with pytest.raises(ValidationError, match="yourself"):
        staff.set_role("root", Role.AGENT, actor=ada)


def test_cli_users_commands(world: World, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "users", "set-role", "kenji", "branch"]) == 0
    assert world.services.agents.get("kenji").role is Role.BRANCH
    assert main(["--db", db_url, "users", "unlock", "kenji"]) == 0
    assert main(["--db", db_url, "users", "deactivate", "kenji"]) == 0
    assert "kenji" not in [a.login for a in world.services.agents.list()]
    assert main(["--db", db_url, "users", "unlock", "kenji"]) == 2
    assert "no active agent" in capsys.readouterr().err
