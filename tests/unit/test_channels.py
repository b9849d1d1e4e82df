"""Channel accounts: adding, listing, disabling and removing them, their secrets, mailbox leases."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from keyring.backends.null import Keyring as NullKeyring
from sqlalchemy import select, text

from console.channels.endpoints import check_address, check_imap_url, check_smtp_url
from console.channels.mail import compose
from console.channels.secrets import KEYRING_SERVICE, SecretStore, SecretUnavailable
from console.cli import channel_commands
from console.clock import ManualClock
from console.domain import Role
from console.domain.audit import AuditFilter
from console.errors import NotFound, NotPermitted, ValidationError
from console.security.guard import authorize
from console.security.principal import Principal
from console.services import _reply_settings
from console.store.db import Database
from console.store.models import ChangeLogEntry
from console.store.models_channels import ChannelAccount
from tests.conftest import MemoryKeyring
from tests.factories import World, run_cli

PASSWORD = "mailbox-S3cret-パスワード"
IMAP, SMTP = "imaps://support%40example.com@mail.example.com/INBOX", "smtps://mail.example.com:465"


def _add(world: World, name: str = "support", queue: str = "Cards", **kw: Any) -> int:
    options = {"address": "support@example.com", "imap_url": IMAP, "smtp_url": SMTP} | kw
    return world.services.channels.add_email(name, queue=queue, password=PASSWORD,
                                             **options).value.id


def test_an_added_account_is_listed_and_shown_with_where_its_secret_is(
        world: World, memory_keyring: MemoryKeyring) -> None:
    _add(world)
    [account] = world.services.channels.list()
    assert (account.name, account.queue, account.enabled, account.address) == (
        "support", "Cards", True, "support@example.com")
    assert account.settings["from_name"] == "Cards"
    assert account.secret_ref is not None and account.secret_ref.startswith("keyring:")
    assert account.secret.startswith("OS keyring")
    assert list(memory_keyring.store.values()) == [PASSWORD]
    assert (account.status.queued, account.status.failed, account.status.last_poll_at) == (0, 0, None)
    assert world.services.channels.show("support") == account


def test_the_password_is_never_in_the_database(world: World, db: Database) -> None:
    _add(world)
    with db.read() as s:
        rows = [
            str(row) for table in ("channel_accounts", "channel_intake", "audit_events",
                                   "change_log")
            for row in s.execute(text(f"SELECT * FROM {table}")).all()]
    assert rows and not any(PASSWORD in row for row in rows)
    if db.dialect == "sqlite":  # every byte of the file, free pages and the WAL included
        path = Path(db.url.database or "")
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                assert PASSWORD.encode() not in part.read_bytes()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("imap_url", "http://mail.example.com", "not an address of the form imap://"),
    ("imap_url", "imaps://mail.example.com/INBOX", "needs the user"),
    ("imap_url", "imaps://u:hunter2@mail.example.com/", "Put no password in the IMAP URL"),
    ("imap_url", "imap://u@mail.example.com:70000/", "not a number between 1 and 65535"),
    ("imap_url", "imaps://u@mail.example.com/?starttls=1", "TLS already"),
    ("imap_url", "imap://u@mail.example.com/?starttls=maybe", "must be 1 or 0"),
    ("smtp_url", "smtp://mail.example.com:25/INBOX", "An SMTP URL has no path"),
    ("smtp_url", "smtp://u:pw@mail.example.com", "Put no password in the SMTP URL"),
    ("smtp_url", "imap://mail.example.com", "not an address of the form smtp://"),
    ("smtp_url", "smtps://", "names no server"),
    ("address", "Support <support@example.com>", "is not an e-mail address"),
    ("address", "support@localhost\nBcc: x@y.z", "is not an e-mail address"),
])
def test_bad_settings_are_refused_with_a_reason_and_nothing_is_kept(
        world: World, memory_keyring: MemoryKeyring, field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("?", r"\?")):
        _add(world, **{field: value})
    assert world.services.channels.list() == [] and memory_keyring.store == {}


def test_names_are_unique_and_a_queue_has_one_enabled_email_account(world: World) -> None:
    _add(world)
    with pytest.raises(ValidationError, match="already a channel account named 'support'"):
        _add(world, queue="Loans")
    with pytest.raises(ValidationError, match="already has the enabled e-mail account 'support'"):
        _add(world, name="support-2")
    with pytest.raises(NotFound, match="no queue named 'Nowhere'"):
        _add(world, name="other", queue="Nowhere")
    world.services.channels.disable("support")
    _add(world, name="support-2")
    with pytest.raises(ValidationError, match="already has the enabled e-mail account 'support-2'"):
        world.services.channels.enable("support")


def test_a_failed_add_forgets_the_secret_it_kept(world: World, db: Database,
                                                memory_keyring: MemoryKeyring) -> None:
    def add_then_fail() -> None:
        with db.write():  # as the door's unit of work, whose audit entry then fails
            _add(world)
            raise RuntimeError("audit insert failed")

    with pytest.raises(RuntimeError):
        add_then_fail()
    assert world.services.channels.list() == [] and memory_keyring.store == {}


def test_disable_enable_and_remove_record_changes(world: World, db: Database,
                                                 memory_keyring: MemoryKeyring) -> None:
    account = _add(world)
    assert world.services.channels.disable("support").value.enabled is False
    written = world.services.channels.enable("support")
    assert written.value.enabled is True
    assert [(c.entity, c.entity_id) for c in written.changes.entries] == [
        ("channel", str(account))]
    removed = world.services.channels.remove("support")
    assert [c.op for c in removed.changes.entries] == ["delete"]
    assert world.services.channels.list() == [] and memory_keyring.store == {}
    with pytest.raises(NotFound):
        world.services.channels.show("support")
    with db.read() as s:
        ops = s.execute(select(ChangeLogEntry.op).where(ChangeLogEntry.entity == "channel")).all()
    assert [o for (o,) in ops] == ["insert", "update", "update", "delete"]


def test_only_admins_manage_accounts_and_changes_are_audited(world: World) -> None:
    root = world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    admin = authorize(world.services, Principal(root.id, "root", "Ada", Role.ADMIN))
    sara = world.services.agents.get("sara")
    lead = authorize(world.services, Principal(sara.id, "sara", "Sara", Role.SUPERVISOR))
    admin.channels.add_email("support", address="support@example.com", imap_url=IMAP,
                             smtp_url=SMTP, queue="Cards", password=PASSWORD)
    with pytest.raises(NotPermitted):
        lead.channels.list()
    admin.channels.disable("support")
    entries = world.services.audit.list(AuditFilter(person="root"))
    assert [(e.action, e.entity, e.entity_id) for e in entries] == [
        ("change", "channel", "support"), ("change", "channel", "support")]
    assert all(PASSWORD not in json.dumps(e.detail) for e in entries)


def test_account_urls_are_read_as_the_transport_reads_them() -> None:
    imap = check_imap_url("imaps://support%40example.com@mail.example.com/Support%20Mail")
    assert (imap.port, imap.tls, imap.user, imap.path) == (993, True, "support@example.com",
                                                           "Support Mail")
    assert check_imap_url("imap://u@mail.example.com?starttls=1").starttls is True
    assert check_imap_url("imap://u@127.0.0.1:1143").port == 1143
    assert check_smtp_url("smtp://relay.example.com").user is None
    assert check_address("loans@localhost") == "loans@localhost"


# -- what replies carry --------------------------------------------------------------------------

def test_reply_settings_have_defaults(world: World) -> None:
    _add(world)
    info = world.services.channels.show("support")
    assert (info.from_name, info.signature, info.charset, info.reopen_days) == ("Cards", "", "utf-8", 7)
    assert {k: info.settings[k] for k in ("signature", "charset", "reopen_days")} == {
        "signature": "", "charset": "utf-8", "reopen_days": "7"}


def test_reply_settings_are_kept_as_given_when_adding(world: World) -> None:
    _add(world, from_name="  カード窓口 ", signature="株式会社サンプル  \r\nカード窓口\r\n\r\n",
         charset="ISO-2022-JP", reopen_days=30)
    info = world.services.channels.show("support")
    assert (info.from_name, info.signature, info.charset, info.reopen_days) == (
        "カード窓口", "株式会社サンプル\nカード窓口", "iso-2022-jp", 30)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("from_name", "x" * 121, "at most 120 characters"),
    ("from_name", "Cards\nBcc: victim@example.com", "one line"),
    ("signature", "x" * 2001, "2,001 characters; at most 2,000"),
    ("signature", "Cards\x00team", "control characters"),
    ("signature", "Cards\x1b$Bteam", "control characters"),
    ("charset", "shift_jis", "choose utf-8 or iso-2022-jp"),
    ("reopen_days", -1, "0 to 365"),
    ("reopen_days", 366, "0 to 365"),
    ("reopen_days", True, "0 to 365"),
])
def test_bad_reply_settings_are_refused_and_nothing_is_kept(
        world: World, memory_keyring: MemoryKeyring, field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _add(world, **{field: value})
    assert world.services.channels.list() == [] and memory_keyring.store == {}
    _add(world)
    before = world.services.channels.show("support")
    with pytest.raises(ValidationError, match=message):
        world.services.channels.update_settings("support", **{field: value})
    assert world.services.channels.show("support") == before


def test_a_signature_of_2000_japanese_characters_is_allowed(world: World) -> None:
    _add(world, signature="署" * 2000)
    assert len(world.services.channels.show("support").signature) == 2000


def test_update_settings_changes_only_what_is_given(world: World, db: Database,
                                                   clock: ManualClock) -> None:
    account = _add(world, from_name="Card team", signature="Cards", reopen_days=3)
    clock.advance(60)
    written = world.services.channels.update_settings("support", charset="iso-2022-jp")
    info = written.value
    assert (info.from_name, info.signature, info.charset, info.reopen_days) == (
        "Card team", "Cards", "iso-2022-jp", 3)
    assert info.updated_at > info.created_at
    assert info.settings["address"] == "support@example.com" and info.settings["imap_url"] == IMAP
    assert [(c.entity, c.entity_id, c.op) for c in written.changes.entries] == [
        ("channel", str(account), "update")]
    assert world.services.channels.show("support") == info  # stored, not only returned
    info = world.services.channels.update_settings("support", from_name="", signature="",
                                                   reopen_days=0).value
    assert (info.from_name, info.signature, info.charset, info.reopen_days) == (
        "Cards", "", "iso-2022-jp", 0)
    with db.read() as s:
        stored = s.execute(select(ChannelAccount.settings)).scalar_one()
    assert stored["reopen_days"] == 0 and stored["charset"] == "iso-2022-jp"


def test_update_settings_needs_a_setting_and_an_account(world: World) -> None:
    _add(world)
    with pytest.raises(ValidationError, match="Nothing to change"):
        world.services.channels.update_settings("support")
    with pytest.raises(NotFound, match="no channel account named 'nobody'"):
        world.services.channels.update_settings("nobody", charset="utf-8")


def test_an_account_added_before_the_reply_settings_replies_with_their_defaults(
        world: World, db: Database) -> None:
    _add(world)
    with db.write() as s:
        row = s.execute(select(ChannelAccount)).scalar_one()
        row.settings = {k: v for k, v in row.settings.items()
                        if k in {"address", "imap_url", "smtp_url", "from_name"}}
    info = world.services.channels.show("support")
    assert (info.signature, info.charset, info.reopen_days) == ("", "utf-8", 7)
    assert list(info.settings)[:4] == ["address", "imap_url", "smtp_url", "from_name"]
    assert world.services.channels.update_settings("support", reopen_days=2).value.reopen_days == 2


def test_only_admins_change_reply_settings_and_each_change_is_audited(world: World) -> None:
    root = world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    admin = authorize(world.services, Principal(root.id, "root", "Ada", Role.ADMIN))
    sara = world.services.agents.get("sara")
    lead = authorize(world.services, Principal(sara.id, "sara", "Sara", Role.SUPERVISOR))
    _add(world)
    with pytest.raises(NotPermitted):
        lead.channels.update_settings("support", charset="iso-2022-jp")
    admin.channels.update_settings("support", charset="iso-2022-jp", signature="Cards team")
    [entry] = world.services.audit.list(AuditFilter(person="root"))
    assert (entry.action, entry.entity, entry.entity_id) == ("change", "channel", "support")
    assert entry.detail["charset"] == "iso-2022-jp" and entry.detail["reopen_days"] is None
    assert world.services.channels.show("support").charset == "iso-2022-jp"


def test_the_command_line_knows_the_services_limits() -> None:
    assert channel_commands.CHARSETS == compose.CHARSETS
    assert (channel_commands.MAX_FROM_NAME, channel_commands.MAX_SIGNATURE,
            channel_commands.MAX_REOPEN_DAYS, channel_commands.DEFAULT_REOPEN_DAYS) == (
        _reply_settings.MAX_FROM_NAME, _reply_settings.MAX_SIGNATURE,
        _reply_settings.MAX_REOPEN_DAYS, _reply_settings.DEFAULT_REOPEN_DAYS)


# -- secrets -------------------------------------------------------------------------------------

def test_without_a_keyring_the_secret_goes_to_an_owner_only_file(tmp_path: Path) -> None:
    keyring.set_keyring(NoKeyring())  # a headless server (the autouse fixture restores it)
    store = SecretStore(tmp_path / "secrets")
    ref = store.keep(PASSWORD, "support")
    assert ref.startswith("file:")
    path = Path(ref.removeprefix("file:"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left behind
    assert store.read(ref) == PASSWORD
    store.forget(ref)
    assert not path.exists()


def test_a_keyring_that_drops_secrets_is_not_trusted_with_one(tmp_path: Path) -> None:
    keyring.set_keyring(NullKeyring())  # accepts every password and keeps none
    store = SecretStore(tmp_path)
    ref = store.keep(PASSWORD, "support")
    assert ref.startswith("file:") and store.read(ref) == PASSWORD


def test_the_secrets_directory_can_be_named_by_the_environment(tmp_path: Path) -> None:
    keyring.set_keyring(NoKeyring())
    store = SecretStore(environ={"SWITCHBOARD_SECRETS_DIR": str(tmp_path / "vault")})
    assert store.keep(PASSWORD, "a/b").startswith(f"file:{tmp_path / 'vault'}/a_b-")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_secret_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    keyring.set_keyring(NoKeyring())
    store = SecretStore(tmp_path)
    ref = store.keep(PASSWORD, "support")
    os.chmod(ref.removeprefix("file:"), mode)
    with pytest.raises(SecretUnavailable, match=r"can be read by others.*chmod 600"):
        store.read(ref)


def test_env_and_keyring_references(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore(environ={"SUPPORT_PASSWORD": PASSWORD})
    assert store.read("env:SUPPORT_PASSWORD") == PASSWORD
    with pytest.raises(SecretUnavailable, match="NOPE is not set"):
        store.read("env:NOPE")
    with pytest.raises(SecretUnavailable, match="no entry"):
        store.read("keyring:missing")
    for bad in ("plain:secret", "file:relative/path", "env:1BAD", "keyring:"):
        with pytest.raises(ValidationError, match="not a secret reference"):
            store.read(bad)


def test_an_account_may_read_its_password_from_the_environment(world: World) -> None:
    info = world.services.channels.add_email(
        "support", address="support@example.com", imap_url=IMAP, smtp_url=SMTP, queue="Cards",
        password_env="SUPPORT_PASSWORD").value
    assert (info.secret_ref, info.secret) == ("env:SUPPORT_PASSWORD",
                                              "environment variable SUPPORT_PASSWORD of the gateway")


# -- mailbox leases ------------------------------------------------------------------------------

def test_one_gateway_holds_a_mailbox_until_its_lease_runs_out(world: World,
                                                             clock: ManualClock) -> None:
    account, leases, ttl = _add(world), world.services.mailboxes, timedelta(seconds=60)
    assert leases.acquire_lease(account, "gw-a", ttl=ttl) is True
    assert leases.acquire_lease(account, "gw-b", ttl=ttl) is False
    assert leases.renew_lease(account, "gw-b", ttl=ttl) is False
    clock.advance(50)
    assert leases.renew_lease(account, "gw-a", ttl=ttl) is True  # until T+110 now
    clock.advance(50)
    assert leases.acquire_lease(account, "gw-b", ttl=ttl) is False
    clock.advance(11)
    assert leases.acquire_lease(account, "gw-b", ttl=ttl) is True  # gw-a stopped renewing
    assert leases.renew_lease(account, "gw-a", ttl=ttl) is False
    assert leases.release_lease(account, "gw-a") is False
    assert leases.release_lease(account, "gw-b") is True
    assert leases.acquire_lease(account, "gw-a", ttl=ttl) is True  # released: no wait


def test_only_the_lease_holder_records_intake_and_never_backwards(world: World,
                                                                 clock: ManualClock) -> None:
    account, leases, ttl = _add(world), world.services.mailboxes, timedelta(seconds=60)
    assert leases.record_intake(account, "gw-a", uidvalidity=7, last_uid=10) is False
    leases.acquire_lease(account, "gw-a", ttl=ttl)
    assert leases.record_intake(account, "gw-b", uidvalidity=7, last_uid=10) is False
    assert leases.record_intake(account, "gw-a", uidvalidity=7, last_uid=10) is True
    assert leases.record_intake(account, "gw-a", uidvalidity=7, last_uid=9) is False
    assert leases.record_intake(account, "gw-a", uidvalidity=8, last_uid=2) is True  # a new mailbox
    state = leases.state(account)
    assert (state.uidvalidity, state.last_uid, state.lease_holder) == (8, 2, "gw-a")
    clock.advance(61)
    assert leases.record_intake(account, "gw-a", uidvalidity=8, last_uid=5) is False  # expired
    assert world.services.channels.show("support").status.last_poll_at is not None


def test_a_disabled_mailbox_is_leased_to_nobody(world: World) -> None:
    account = _add(world)
    world.services.channels.disable("support")
    assert world.services.mailboxes.acquire_lease(account, "gw-a", ttl=timedelta(seconds=5)) is False


def test_two_gateways_racing_for_a_lease_one_wins(world: World, db_url: str) -> None:
    import threading

    account = _add(world)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def race(holder: str) -> None:
        own = Database(db_url)  # each gateway has its own database handle
        try:
            from tests.factories import services_for

            leases = services_for(own, ManualClock(world.services.clock.now())).mailboxes
            barrier.wait()
            results.append(leases.acquire_lease(account, holder, ttl=timedelta(seconds=30)))
        finally:
            own.dispose()

    threads = [threading.Thread(target=race, args=(f"gw-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]


def test_a_record_poll_error_shows_in_the_status(world: World) -> None:
    account = _add(world)
    world.services.mailboxes.acquire_lease(account, "gw-a", ttl=timedelta(seconds=30))
    world.services.mailboxes.record_poll(account, "gw-a", error="LOGIN failed: bad\ncredentials")
    status = world.services.channels.show("support").status
    assert status.last_error == "LOGIN failed: bad\ncredentials" and status.last_error_at
    assert status.lease_holder == "gw-a"


# -- the command line ----------------------------------------------------------------------------

def test_channels_commands_for_a_signed_in_admin(
        world: World, db_url: str, cli_signin: Callable[[str], str],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    cli_signin("root")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = run_cli(capsys, db_url, "channels", "add", "email", "support",
                             "--address", "support@example.com", "--imap-url", IMAP,
                             "--smtp-url", SMTP, "--queue", "Cards", "--password-stdin")
    assert (code, err) == (0, "") and "password: OS keyring" in out
    assert _channel_secrets(memory_keyring) == [PASSWORD]
    code, out, _ = run_cli(capsys, db_url, "channels", "list", "--json")
    [listed] = json.loads(out)
    assert (listed["name"], listed["status"]["queued"], listed["status"]["last_poll_at"]) == (
        "support", 0, None)
    code, out, _ = run_cli(capsys, db_url, "channels", "show", "support")
    assert code == 0 and "Password:" in out and "OS keyring" in out and PASSWORD not in out
    assert run_cli(capsys, db_url, "channels", "disable", "support")[0] == 0
    assert json.loads(run_cli(capsys, db_url, "channels", "show", "support", "--json")[1])[
        "enabled"] is False
    assert run_cli(capsys, db_url, "channels", "enable", "support")[0] == 0
    code, out, _ = run_cli(capsys, db_url, "channels", "remove", "support")
    assert code == 0 and _channel_secrets(memory_keyring) == []
    code, _, err = run_cli(capsys, db_url, "channels", "show", "support")
    assert (code, err) == (2, "switchboard: There is no channel account named 'support'.\n")


def test_a_headless_gateway_reads_the_password_from_its_environment(
        world: World, db_url: str, cli_signin: Callable[[str], str],
        capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring) -> None:
    world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    cli_signin("root")
    code, out, err = run_cli(capsys, db_url, "channels", "add", "email", "support",
                             "--address", "support@example.com", "--imap-url", IMAP,
                             "--smtp-url", SMTP, "--queue", "Cards",
                             "--password-env", "SUPPORT_MAIL_PASSWORD")
    assert (code, err) == (0, "") and "environment variable SUPPORT_MAIL_PASSWORD" in out
    assert _channel_secrets(memory_keyring) == []
    assert world.services.channels.show("support").secret_ref == "env:SUPPORT_MAIL_PASSWORD"
    code, _, err = run_cli(capsys, db_url, "channels", "add", "email", "other",
                           "--address", "other@example.com", "--imap-url", IMAP,
                           "--smtp-url", SMTP, "--queue", "Loans", "--password-env", "X",
                           "--password-stdin")
    assert code == 2 and "not allowed with argument" in err


def test_a_bad_url_on_the_command_line_is_one_line(
        world: World, db_url: str, cli_signin: Callable[[str], str],
        capsys: pytest.CaptureFixture[str]) -> None:
    world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    cli_signin("root")
    code, _, err = run_cli(capsys, db_url, "channels", "add", "email", "support",
                           "--address", "support@example.com", "--imap-url", "imaps://u:pw@h/",
                           "--smtp-url", SMTP, "--queue", "Cards")
    assert code == 2 and err.startswith("switchboard: Put no password in the IMAP URL")


def test_an_agent_may_not_manage_channels(world: World, db_url: str,
                                          cli_signin: Callable[[str], str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    code, _, err = run_cli(capsys, db_url, "channels", "list")
    assert code != 0 and "may not use 'channels.list'" in err


def _admin_cli(world: World, cli_signin: Callable[[str], str]) -> None:
    world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    cli_signin("root")


def _add_cli(capsys: pytest.CaptureFixture[str], db_url: str, *options: str) -> tuple[int, str, str]:
    return run_cli(capsys, db_url, "channels", "add", "email", "support", "--address",
                   "support@example.com", "--imap-url", IMAP, "--smtp-url", SMTP, "--queue", "Cards",
                   "--password-stdin", *options)


def _shown(capsys: pytest.CaptureFixture[str], db_url: str) -> dict[str, Any]:
    code, out, _ = run_cli(capsys, db_url, "channels", "show", "support", "--json")
    assert code == 0
    shown: dict[str, Any] = json.loads(out)
    return shown


def test_reply_settings_on_the_command_line(
        world: World, db_url: str, cli_signin: Callable[[str], str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    _admin_cli(world, cli_signin)
    signature = tmp_path / "signature.txt"
    signature.write_bytes("\ufeff株式会社サンプル\r\nカード窓口\r\n".encode())  # Notepad's BOM and CRLF
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _, err = _add_cli(capsys, db_url, "--from-name", "カード窓口", "--signature-file",
                            str(signature), "--charset", "ISO-2022-JP", "--reopen-days", "14")
    assert (code, err) == (0, "")
    assert {k: _shown(capsys, db_url)["settings"][k] for k in (
        "from_name", "signature", "charset", "reopen_days")} == {
        "from_name": "カード窓口", "signature": "株式会社サンプル\nカード窓口",
        "charset": "iso-2022-jp", "reopen_days": "14"}
    code, out, _ = run_cli(capsys, db_url, "channels", "show", "support")
    assert code == 0
    assert "From name:" in out and "カード窓口" in out
    assert "Charset:" in out and "iso-2022-jp" in out
    assert "Signature:    '株式会社サンプル' (14 characters, 2 lines)\n" in out
    assert "Reopen days:" in out and "within 14 days of resolution reopens" in out

    code, out, err = run_cli(capsys, db_url, "channels", "set", "support", "--charset", "utf-8",
                             "--no-signature", "--reopen-days", "0")
    assert (code, err) == (0, "")
    assert out == ("Channel account 'support' now replies as 'カード窓口' in utf-8, no signature; "
                   "an answer after resolution opens a new contact.\n")
    assert "Signature:    none\n" in run_cli(capsys, db_url, "channels", "show", "support")[1]
    settings = _shown(capsys, db_url)["settings"]
    assert (settings["signature"], settings["charset"], settings["reopen_days"]) == ("", "utf-8", "0")
    signature.write_text("Cards team\n", encoding="utf-8")
    assert run_cli(capsys, db_url, "channels", "set", "support", "--signature-file",
                   str(signature), "--from-name", "")[0] == 0
    settings = _shown(capsys, db_url)["settings"]
    assert (settings["signature"], settings["from_name"], settings["reopen_days"]) == (
        "Cards team", "Cards", "0")


@pytest.mark.parametrize(("options", "message"), [
    (["--reopen-days", "366"], "argument --reopen-days: must be from 0 to 365"),
    (["--reopen-days", "-1"], "argument --reopen-days: must be from 0 to 365"),
    (["--reopen-days", "a week"], "argument --reopen-days: must be a whole number"),
    (["--charset", "shift_jis"], "argument --charset: invalid choice: 'shift_jis'"),
    (["--from-name", "x" * 121], "argument --from-name: the From name is 121 characters"),
    (["--signature-file", "{missing}"], "Cannot read {missing}: No such file or directory."),
    (["--signature-file", "{dir}"], "Cannot read {dir}: Is a directory."),
    (["--signature-file", "{cp932}"], "{cp932} is not UTF-8 text."),
    (["--signature-file", "{empty}"], "{empty} is empty; to send replies without a signature, use "
                                      "--no-signature."),
    (["--signature-file", "{long}"], "The signature is 2,001 characters; at most 2,000."),
    (["--signature-file", "{huge}"], "{huge} is too long for a signature (at most 2,000 characters)."),
    (["--signature-file", "{ok}", "--no-signature"], "not allowed with argument"),
    ([], "Nothing to change"),
])
def test_bad_reply_settings_on_the_command_line_are_one_line_and_change_nothing(
        world: World, db_url: str, cli_signin: Callable[[str], str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring, options: list[str], message: str) -> None:
    _admin_cli(world, cli_signin)
    files = {"missing": tmp_path / "missing.txt", "dir": tmp_path, "cp932": tmp_path / "cp932.txt",
             "empty": tmp_path / "empty.txt", "long": tmp_path / "long.txt",
             "huge": tmp_path / "huge.txt", "ok": tmp_path / "ok.txt"}
    files["cp932"].write_bytes("株式会社".encode("cp932"))
    files["empty"].write_text(" \n\n", encoding="utf-8")
    files["long"].write_text("x" * 2001, encoding="utf-8")
    files["huge"].write_text("x" * 10_000, encoding="utf-8")
    files["ok"].write_text("Cards team", encoding="utf-8")
    options = [o.format(**files) for o in options]
    message = message.format(**files)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert _add_cli(capsys, db_url)[0] == 0
    before = _shown(capsys, db_url)

    code, out, err = run_cli(capsys, db_url, "channels", "set", "support", *options)
    assert (code, out) == (2, "") and err.startswith("switchboard") and err.count("\n") == 1
    assert message in err
    assert _shown(capsys, db_url) == before
    if options and "--no-signature" not in options:  # adding refuses them too, before asking anything
        code, out, err = _add_cli(capsys, db_url, *options)
        assert (code, out) == (2, "") and message in err and err.count("\n") == 1
        assert [a.name for a in world.services.channels.list()] == ["support"]


def _channel_secrets(backend: MemoryKeyring) -> list[str]:
    """The channel passwords in the keyring (the command line keeps its session there too)."""
    return [secret for (service, _), secret in backend.store.items() if service == KEYRING_SERVICE]


def test_a_reply_from_the_command_line_says_when_it_is_queued_for_the_gateway(
        world: World, db_url: str, cli_signin: Callable[[str], str],
        capsys: pytest.CaptureFixture[str]) -> None:
    _add(world, queue="Loans")
    cli_signin("kenji")
    email_contact = next(c.id for c in world.contacts if c.channel.value == "email")
    code, out, _ = run_cli(capsys, db_url, "reply", str(email_contact), "--agent", "kenji",
                           "--text", "承知いたしました。")
    assert code == 0 and out.rstrip().endswith("and queued for the gateway to send.")
    phone_contact = next(c.id for c in world.contacts if c.channel.value == "phone")
    code, out, _ = run_cli(capsys, db_url, "reply", str(phone_contact), "--agent", "kenji",
                           "--text", "Noted.")
    assert code == 0 and "queued" not in out
