"""Sign-in: argon2 hashes, lockout by the clock, "remember me" via the keyring."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from console.cli.main import main
from console.clock import ManualClock
from console.domain import Role
from console.domain.audit import AuditFilter
from console.errors import NotPermitted, SignInFailed, ValidationError
from console.security.principal import Principal
from console.services.audit import AuditService
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


def test_sign_in_names_the_os_user_in_its_audit_entries(auth: AuthService, db: Database,
                                                       clock: ManualClock) -> None:
    assert auth.sign_in("emma", PASSWORD, os_user="emma.c").os_user == "emma.c"
    with pytest.raises(SignInFailed):
        auth.sign_in("emma", "not the password", os_user="mallory")
    entries = AuditService(db, clock).list(AuditFilter(person="emma"))
    assert [(e.action, e.detail.get("os_user")) for e in entries[-2:]] == [
        ("sign_in", "emma.c"), ("sign_in_failed", "mallory")]
    assert AuditService(db, clock).verify().intact


def test_a_session_lasts_until_the_clock_reaches_its_end(auth: AuthService, db: Database,
                                                         clock: ManualClock) -> None:
    who = auth.sign_in("emma", PASSWORD, workstation="WS-07")
    session = auth.open_session(who, lasting=timedelta(hours=12))
    assert session.expires_at == clock.now() + timedelta(hours=12)
    with db.read() as s:
        stored = s.execute(select(RememberToken.token_hash)).scalars().all()
    assert stored == [hashlib.sha256(session.token.encode()).hexdigest()]  # never the token
    clock.advance(timedelta(hours=12) - timedelta(seconds=1))
    resumed = auth.resume_session(session.token, workstation="WS-07", os_user="emma.c")
    assert resumed is not None and (resumed.login, resumed.os_user) == ("emma", "emma.c")
    clock.advance(timedelta(seconds=1))
    assert auth.resume_session(session.token, workstation="WS-07") is None
    with db.read() as s:
        assert s.execute(select(RememberToken)).first() is None  # the ended session is gone


def test_a_session_ends_elsewhere_on_sign_out_and_on_deactivation(
        world: World, auth: AuthService, db: Database, clock: ManualClock) -> None:
    who = auth.sign_in("emma", PASSWORD, workstation="WS-07")
    copied = auth.open_session(who, lasting=timedelta(hours=1))
    assert auth.resume_session(copied.token, workstation="WS-08") is None  # not its workstation
    assert auth.resume_session(copied.token, workstation="WS-07") is None  # and now revoked
    session = auth.open_session(who, lasting=timedelta(hours=1))
    ended = auth.end_session(session.token, os_user="emma.c")
    assert ended is not None and ended.login == "emma"
    assert auth.end_session(session.token) is None
    assert auth.resume_session(session.token, workstation="WS-07") is None
    last = AuditService(db, clock).list()[-1]
    assert (last.action, last.actor_login, last.workstation, last.detail) == (
        "sign_out", "emma", "WS-07", {"method": "session", "os_user": "emma.c"})
    root = world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    session = auth.open_session(who, lasting=timedelta(hours=1))
    world.services.staff.deactivate("emma", actor=Principal(root.id, "root", "Ada", Role.ADMIN))
    assert auth.resume_session(session.token, workstation="WS-07") is None


def test_the_first_admin_only_while_there_is_none(world: World, db: Database,
                                                  clock: ManualClock) -> None:
    staff = world.services.staff
    with pytest.raises(ValidationError, match="at least 10"):
        staff.create_first_admin("root", "Ada Admin", "short")
    ada = staff.create_first_admin("root", "Ada Admin", PASSWORD, os_user="ops")
    assert ada.role is Role.ADMIN
    assert AuthService(db, clock).sign_in("root", PASSWORD).role is Role.ADMIN
    with pytest.raises(NotPermitted, match="administrator already"):
        staff.create_first_admin("root2", "Bob Admin", PASSWORD)
    assert "root2" not in [a.login for a in world.services.agents.list()]
    created = [e for e in AuditService(db, clock).list() if e.detail.get("first_admin")]
    assert [(e.entity_id, e.detail["os_user"]) for e in created] == [(str(ada.id), "ops")]


@pytest.fixture
def cli_admin(world: World, cli_signin: Callable[[str], str]) -> None:
    """An administrator signed in with 'switchboard signin': staff accounts are theirs."""
    world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    cli_signin("root")


@pytest.mark.usefixtures("cli_admin")
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


@pytest.mark.usefixtures("cli_admin")
def test_cli_users_commands(world: World, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "users", "set-role", "kenji", "branch"]) == 0
    assert world.services.agents.get("kenji").role is Role.BRANCH
    assert main(["--db", db_url, "users", "unlock", "kenji"]) == 0
    assert main(["--db", db_url, "users", "deactivate", "kenji"]) == 0
    assert "kenji" not in [a.login for a in world.services.agents.list()]
    assert main(["--db", db_url, "users", "unlock", "kenji"]) == 2
    assert "no active agent" in capsys.readouterr().err
