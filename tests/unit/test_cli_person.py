"""The command line acts as a person: signin/signout, --user, exit 4, acting for, the audit entry."""

from __future__ import annotations

import getpass
import io
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import func, select, text, update

from console.cli.main import build_parser
from console.cli.person import NOBODY, OpenCommand, SignedInCommand, _commands
from console.cli.session_store import KEYRING_SERVICE
from console.clock import SystemClock
from console.config import Settings
from console.domain import MessageKind, Role
from console.domain.audit import AuditEntry
from console.services.audit import AuditService
from console.store.db import Database
from console.store.models_security import RememberToken
from tests.conftest import MemoryKeyring
from tests.factories import CLI_PASSWORD, World
from tests.factories import run_cli as run

SignIn = Callable[[str], str]
WORKSTATION = Settings().workstation
# Every command that reads or changes customer, contact or audit records (the
# decisions of issue 10); any other command must say why it needs nobody.
SIGNED_IN = {
    "inbox", "claim", "reply", "customers find", "history", "kb import", "templates render",
    "audit verify", "audit list", "audit export", "users set-password", "users set-role",
    "users unlock", "users deactivate", "branch lookup", "branch card", "queues",
    "sla policy", "sla calendar", "sla queue",
    "channels add email", "channels list", "channels show", "channels disable",
    "channels enable", "channels remove", "channels set", "contact show", "channels add line",
    "channels add twilio", "channels add messenger", "channels add cti", "channels add webchat",
}


def _person_commands(world: World) -> list[tuple[str, ...]]:
    contact, customer = str(world.contacts[0].id), str(world.alice)
    return [("customers", "find", "smith"), ("history", customer), ("inbox",),
            ("claim", contact, "--agent", "emma"),
            ("reply", contact, "--agent", "emma", "--text", "Hello"),
            ("templates", "render", "Hi", "--contact", contact, "--agent", "emma"),
            ("audit", "verify"), ("queues",), ("users", "unlock", "emma"),
            ("branch", "card", customer), ("channels", "list", "--json"),
            ("contact", "show", contact, "--json"),
            ("channels", "add", "email", "x", "--address", "x@example.com",
             "--imap-url", "imap://x@example.com", "--smtp-url", "smtp://example.com",
             "--queue", "Cards", "--password-stdin")]


def _audit(db: Database) -> list[AuditEntry]:
    return AuditService(db, SystemClock()).list()


def _feed(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))


def _tokens(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(RememberToken)).scalar_one())


def test_without_a_person_nothing_is_read_or_written(world: World, db: Database, db_url: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    before = _audit(db)
    for command in _person_commands(world):
        code, out, err = run(capsys, db_url, *command)
        assert (code, out, err) == (4, "", f"switchboard: {NOBODY}\n"), command
    assert _audit(db) == before
    assert world.services.inbox.get(world.contacts[0].id).assignee_login is None


def test_each_command_leaves_its_audit_entry_naming_person_workstation_and_os_user(
        world: World, db: Database, db_url: str, cli_signin: SignIn,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = cli_signin("emma")
    assert out.startswith("Signed in as Emma Clarke (agent) until 2")
    assert out.endswith("; the session is kept in the OS keyring.\n")
    signed_in = len(_audit(db))
    contact = world.contacts[0].id
    for command in (("customers", "find", "smith"), ("history", str(world.alice)),
                    ("inbox", "--queue", "Cards"), ("claim", str(contact), "--agent", "emma")):
        code, _, err = run(capsys, db_url, *command)
        assert code == 0, err
    entries = _audit(db)[signed_in:]
    assert [(e.action, e.entity, e.entity_id) for e in entries] == [
        ("search", "customers", "-"), ("view", "customer", str(world.alice)),
        ("search", "contacts", "-"), ("change", "contact", str(contact))]
    assert {(e.actor_login, e.workstation, e.detail["os_user"]) for e in entries} == {
        ("emma", WORKSTATION, getpass.getuser())}
    assert entries[2].detail["filter"]["queues"] == ["Cards"] and entries[2].detail["results"] == 2
    assert world.services.inbox.get(contact).assignee_login == "emma"
    cli_signin("sara")
    code, out, _ = run(capsys, db_url, "audit", "verify")
    assert code == 0 and "Audit log intact" in out


def test_signout_ends_the_session(world: World, db: Database, db_url: str, cli_signin: SignIn,
                                  memory_keyring: MemoryKeyring,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    assert _tokens(db) == 1 and len(memory_keyring.store) == 1
    assert run(capsys, db_url, "customers", "find", "smith")[0] == 0
    code, out, _ = run(capsys, db_url, "signout")
    assert code == 0 and out.startswith("Signed out Emma Clarke;")
    assert _tokens(db) == 0 and memory_keyring.store == {}
    assert _audit(db)[-1].action == "sign_out"
    assert run(capsys, db_url, "customers", "find", "smith")[0] == 4
    assert run(capsys, db_url, "signout")[1] == "Nobody was signed in.\n"


def test_signing_in_again_replaces_the_session(world: World, db: Database, db_url: str,
                                               cli_signin: SignIn,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    cli_signin("sara")
    assert _tokens(db) == 1
    run(capsys, db_url, "customers", "find", "smith")
    assert _audit(db)[-1].actor_login == "sara"


def test_an_ended_session_exits_4_and_its_copy_is_dropped(world: World, db: Database,
                                                         db_url: str, cli_signin: SignIn,
                                                         memory_keyring: MemoryKeyring,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI runs on the system clock: the session's end is moved instead (the
    service's own test moves its clock, tests/unit/test_auth.py)."""
    cli_signin("emma")
    with db.write() as s:
        s.execute(update(RememberToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    code, _, err = run(capsys, db_url, "history", str(world.alice))
    assert (code, err) == (4, f"switchboard: {NOBODY}\n")
    assert memory_keyring.store == {} and _tokens(db) == 0


def test_the_session_lasts_a_working_day_unless_configured(
        world: World, db: Database, db_url: str, cli_signin: SignIn, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    with db.read() as s:
        row = s.execute(select(RememberToken)).scalar_one()
        assert row.expires_at - row.created_at == timedelta(hours=12)
    config = tmp_path / "xdg_config_home" / "switchboard" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("cli_session_hours = 0\n", encoding="utf-8")
    code, _, err = run(capsys, db_url, "signin", "emma", "--password-stdin")
    assert code == 2 and "cli_session_hours" in err and err.count("\n") == 1


def test_without_a_keyring_the_session_is_kept_in_a_private_file(
        world: World, db: Database, db_url: str, cli_signin: SignIn, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # what a headless machine has
    try:
        out = cli_signin("emma")
        files = list((tmp_path / "xdg_state_home" / "switchboard").rglob("*.token"))
        assert len(files) == 1
        assert out.endswith(f"; the session is kept in {files[0]} (readable only by you).\n")
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        token = files[0].read_text(encoding="ascii")
        with db.read() as s:
            assert token not in s.execute(text("SELECT token_hash FROM remember_tokens")).scalar()
        assert run(capsys, db_url, "customers", "find", "smith")[0] == 0
        files[0].chmod(0o644)  # readable by others: not trusted any more
        assert run(capsys, db_url, "customers", "find", "smith")[0] == 4
        files[0].chmod(0o600)
        assert run(capsys, db_url, "signout")[0] == 0
        assert not files[0].exists() and _tokens(db) == 0
    finally:
        keyring.set_keyring(previous)


def test_a_token_is_only_sent_to_the_database_that_issued_it(
        world: World, db_url: str, cli_signin: SignIn, memory_keyring: MemoryKeyring,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    assert [user for service, user in memory_keyring.store if service == KEYRING_SERVICE] == [
        Database(db_url).describe()]
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert run(capsys, other, "customers", "find", "smith")[0] == 4


def test_user_and_password_stdin_sign_in_for_one_command(world: World, db: Database,
                                                         db_url: str,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    world.services.auth.set_password("emma", CLI_PASSWORD)
    _feed(monkeypatch, CLI_PASSWORD)
    code, out, _ = run(capsys, db_url, "customers", "find", "smith", "--json",
                       "--user", "emma", "--password-stdin")
    assert code == 0 and "Alice" in out
    assert [e.action for e in _audit(db)[-2:]] == ["sign_in", "search"]
    assert _tokens(db) == 0  # nothing kept: the next command needs a person again
    _feed(monkeypatch, "not the password")
    code, out, err = run(capsys, db_url, "history", str(world.alice),
                         "--user", "emma", "--password-stdin")
    assert (code, out, err) == (2, "", "switchboard: Wrong login or password.\n")


def test_an_agent_may_not_act_for_another_agent(world: World, db: Database, db_url: str,
                                                cli_signin: SignIn,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    world.services.templates.save("Hi", "en", "Hello {customer.first_name}, {agent.name} here.")
    cli_signin("emma")
    before = _audit(db)
    contact = str(world.contacts[0].id)
    for command in (("claim", contact, "--agent", "kenji"),
                    ("reply", contact, "--agent", "kenji", "--text", "Hello"),
                    ("templates", "render", "Hi", "--contact", contact, "--agent", "kenji")):
        code, out, err = run(capsys, db_url, *command)
        assert (code, out) == (2, "") and err.count("\n") == 1 and "only as themself" in err
    assert world.services.inbox.get(world.contacts[0].id).assignee_login is None
    assert _audit(db) == before


def test_a_supervisor_acts_for_an_agent_and_is_audited_as_acting_for(
        world: World, db: Database, db_url: str, cli_signin: SignIn,
        capsys: pytest.CaptureFixture[str]) -> None:
    world.services.templates.save("Hi", "en", "Hello {customer.first_name}, {agent.name} here.")
    cli_signin("sara")
    contact = world.contacts[0].id
    code, out, _ = run(capsys, db_url, "claim", str(contact), "--agent", "emma")
    assert code == 0 and out == (f"Contact {contact} is now Emma Clarke's, claimed for them by "
                                 "Sara Lind.\n")
    code, out, _ = run(capsys, db_url, "templates", "render", "Hi", "--contact", str(contact),
                       "--agent", "emma")
    assert code == 0 and out == "Hello Alice, Emma Clarke here.\n"
    claim, render = _audit(db)[-2:]
    assert [(e.actor_login, e.action, e.entity_id, e.detail["acting_for"])
            for e in (claim, render)] == [("sara", "change", str(contact), "emma"),
                                          ("sara", "view", str(contact), "emma")]
    assert world.services.inbox.get(contact).assignee_login == "emma"


def test_the_first_administrator_needs_nobody_then_an_administrator_does(
        world: World, db: Database, db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _feed(monkeypatch, CLI_PASSWORD)
    code, out, err = run(capsys, db_url, "users", "create-admin", "root", "--name", "Ada Admin",
                         "--password-stdin")
    assert code == 0, err
    assert out == "Administrator Ada Admin (root) created. Sign in with 'switchboard signin root'.\n"
    _feed(monkeypatch, CLI_PASSWORD)
    code, _, err = run(capsys, db_url, "users", "create-admin", "eve", "--password-stdin")
    assert code == 2 and "administrator already" in err
    assert run(capsys, db_url, "users", "set-role", "emma", "supervisor")[0] == 4
    # The signer's password first, then the new one: one per line.
    _feed(monkeypatch, CLI_PASSWORD, "a new password for kenji")
    assert run(capsys, db_url, "users", "set-password", "kenji", "--user", "root",
               "--password-stdin")[0] == 0
    assert world.services.auth.sign_in("kenji", "a new password for kenji").login == "kenji"
    change = [e for e in _audit(db) if e.detail.get("field") == "password"][-1]
    assert (change.actor_login, change.detail["login"]) == ("root", "kenji")
    assert world.services.agents.get("root").role is Role.ADMIN


def test_every_command_says_whether_it_needs_a_person() -> None:
    import ui.cli

    parser = build_parser(ui.cli.COMMANDS)
    kinds: dict[str, object] = {}
    for command in _commands(parser):
        name = command.prog.removeprefix("switchboard ")
        kinds[name] = command.get_default("func")
        helptext = command.format_help()
        if name in SIGNED_IN:
            assert isinstance(kinds[name], SignedInCommand), name
            assert "--user LOGIN" in helptext and "Exits 4 when nobody is signed in" in helptext
        else:
            assert isinstance(kinds[name], OpenCommand), name
            assert "Needs no signed-in person:" in helptext
    assert set(kinds) >= SIGNED_IN
    assert {"db upgrade", "db set-password", "demo", "users create-admin", "watch", "bench",
            "bench-sync", "bench-load", "bench-ui", "screenshot", "signin", "signout",
            "run", "gateway"} <= set(kinds) - SIGNED_IN


def test_a_reply_from_the_command_line_is_recorded_once_per_call(
        world: World, db: Database, db_url: str, cli_signin: SignIn, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    contact = world.contacts[0].id
    code, out, _ = run(capsys, db_url, "reply", str(contact), "--agent", "emma", "--text",
                       "We have frozen your card.")
    assert code == 0 and out.startswith(f"Reply recorded on contact {contact} as message ")
    letter = tmp_path / "reply.txt"
    letter.write_text("山田様\n\nカードを停止いたしました。\n", encoding="utf-8")
    code, _, _ = run(capsys, db_url, "reply", str(contact), "--agent", "emma",
                     "--text-file", str(letter))
    assert code == 0
    def replies() -> list[str]:
        return [m.body for m in world.services.inbox.detail(contact).messages
                if m.kind is MessageKind.OUTBOUND]

    bodies = replies()
    assert bodies == ["We have frozen your card.", "山田様\n\nカードを停止いたしました。"]
    letter.write_bytes("カード".encode("cp932"))
    code, out, err = run(capsys, db_url, "reply", str(contact), "--agent", "emma",
                         "--text-file", str(letter))
    assert (code, out) == (2, "") and "is not UTF-8 text" in err
    assert replies() == bodies  # nothing half-written
