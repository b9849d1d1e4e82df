"""Channel accounts for administrators: add an e-mail or phone (CTI) account, list, show,
disable, enable, remove.

An account feeds one queue; its password goes to console.channels.secrets
and only the reference to it is stored. Each change is recorded for the
change feed (entity ``channel``) and audited by the door. What its replies
carry (From name, signature, charset, how long a resolved contact reopens)
is set when it is added and changed with ``update_settings``. A phone account's
settings say where click-to-dial asks the phone system to place calls
(``set_originate``) and each agent's extension (``set_extension``); its
events are console.services.calls'.

Disabling an account pauses it: the gateway stops polling its mailbox and
sending through it, its queued replies wait, and new replies on its queue are
stored without a delivery job. Removing an account is refused while replies
are queued or being sent through it (enable it and let them go, or wait for
them to fail); the record of what it delivered stays, no longer linked.
"""

from __future__ import annotations

import builtins
import functools
import re
from collections.abc import Callable, Mapping

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from console.channels import messaging_accounts as accounts
from console.channels import secrets
from console.channels.endpoints import check_address, check_imap_url, check_smtp_url
from console.channels.secrets import SecretStore
from console.clock import Clock
from console.domain import Written
from console.domain.channel_accounts import (
    ChannelAccountInfo,
    ChannelKind,
    ChannelStatus,
    DeliveryState,
)
from console.errors import NotFound, ValidationError
from console.services import _originate
from console.services import _reply_settings as reply
from console.services.calls import EXTENSION_PREFIX
from console.services.rows import agent_by_login, queue_by_name
from console.store import changes
from console.store.db import Database
from console.store.models import Queue
from console.store.models_channels import ChannelAccount, ChannelIntake, DeliveryJobRow

MAX_NAME = 80
PENDING = (DeliveryState.QUEUED, DeliveryState.SENDING)


class ChannelService:
    """Channel accounts (see the module docstring).

    Args:
        db: the database.
        clock: where "now" comes from.
        secret_store: where passwords are kept (console.channels.secrets).
    """

    def __init__(self, db: Database, clock: Clock, secret_store: SecretStore) -> None:
        self._db = db
        self._clock = clock
        self._secrets = secret_store

    def add_email(self, name: str, *, address: str, imap_url: str, smtp_url: str, queue: str,
                  password: str | None = None, password_env: str | None = None,
                  from_name: str | None = None, signature: str = "", charset: str = "utf-8",
                  reopen_days: int = reply.DEFAULT_REOPEN_DAYS) -> Written[ChannelAccountInfo]:
        """Adds an e-mail account that takes mail in for ``queue`` and sends its replies.

        Args:
            password: kept in the keyring (or an owner-only file), never in the database.
            password_env: instead, the environment variable the gateway reads it from.
            from_name: the display name of replies' From (default: the queue's name).
            signature: put under every reply after a "-- " line; at most 2,000 characters.
            charset: what replies are written in: "utf-8" or "iso-2022-jp".
            reopen_days: for how many days (0 to 365) after a contact is resolved a
                customer's answer reopens it rather than opening a new contact.

        Raises:
            ValidationError: a bad name, address, URL or reply setting, a name in use, or a
                queue that already has an enabled e-mail account.
            NotFound: no such queue.
        """
        name = _check_name(name)
        settings: dict[str, str | int] = {
            "address": check_address(address), "imap_url": imap_url.strip(),
            "smtp_url": smtp_url.strip(), "from_name": reply.check_from_name(from_name or ""),
            "signature": reply.check_signature(signature), "charset": reply.check_charset(charset),
            "reopen_days": reply.check_reopen_days(reopen_days)}
        check_imap_url(imap_url)
        check_smtp_url(smtp_url)
        if password is not None and password_env is not None:
            raise ValidationError("Give either a password or an environment variable, not both.")
        ref = None if password_env is None else str(secrets.SecretRef.parse(f"env:{password_env}"))
        with self._db.write() as s:
            found = queue_by_name(s, queue)
            settings["from_name"] = settings["from_name"] or found.name
            self._check_free(s, name, found)
            if password is not None:
                ref = self._secrets.keep(password, name)
                # The keyring and files are not in the transaction: if it rolls back
                # (here, or the door's audit entry after us), the secret goes too.
                _after(s, "after_rollback", functools.partial(self._secrets.forget, ref))
            account = self._insert(s, name, found, settings, ref)
            return Written(_info(s, account), changes.collector(s))

    def add_messaging(self, kind: ChannelKind, name: str, *, queue: str,
                      secret_values: Mapping[str, str] | None = None,
                      secrets_env: str | None = None, api_base: str | None = None,
                      public_url: str | None = None, originate_url: str = "",
                      originate_method: str = "POST") -> Written[ChannelAccountInfo]:
        """Adds a LINE, Twilio (SMS), Messenger, CTI or web chat account feeding ``queue``.

        Args:
            kind: which provider (not e-mail: see ``add_email``).
            secret_values: the kind's secrets (console.channels.messaging_accounts.REQUIRED),
                kept together in the keyring or an owner-only file, never in the database.
            secrets_env: instead, the gateway's environment variable holding them as
                KEY=VALUE lines.
            api_base: the provider's scheme and host replaced (a regional or test endpoint).
            public_url: the public webhook URL the provider signs (Twilio behind a proxy).
            originate_url: a phone (CTI) account's click-to-dial URL of the phone system,
                with ``{extension}`` and ``{number}`` (E.164) in it; "" for none. Never a
                password in it (console.services.calls).
            originate_method: POST (the default) or GET.

        Raises:
            ValidationError: a bad name, kind, secret or URL, a name in use, or a queue
                that already has an enabled account of the kind.
            NotFound: no such queue.
        """
        if kind == ChannelKind.EMAIL or kind not in accounts.REQUIRED:
            raise ValidationError(f"'{kind}' is not a messaging channel kind.")
        name = _check_name(name)
        if secret_values is not None and secrets_env is not None:
            raise ValidationError("Give the secrets or an environment variable, not both.")
        settings: dict[str, str | int] = {}
        if api_base:
            if kind not in accounts.DEFAULT_API_BASE:
                raise ValidationError(f"A {kind.value} channel calls no provider API.")
            settings["api_base"] = accounts.check_base_url(api_base)
        if public_url:
            settings["public_url"] = accounts.check_public_url(public_url)
        if kind == ChannelKind.CTI:
            settings["originate_url"] = _originate.check_originate_url(originate_url)
            settings["originate_method"] = _originate.check_method(originate_method)
        elif originate_url:
            raise ValidationError("Only a phone (CTI) account places calls.")
        needs = accounts.REQUIRED[kind]
        ref = None
        clean: dict[str, str] = {}
        if secrets_env is not None:
            ref = str(secrets.SecretRef.parse(f"env:{secrets_env}"))
        elif needs:
            if secret_values is None:
                raise ValidationError(f"A {kind.value} channel needs its secrets: "
                                      f"{', '.join(needs)} (KEY=VALUE lines).")
            text = "\n".join(f"{k}={v}" for k, v in secret_values.items())
            clean = accounts.parse_secret_lines(text, kind)
        with self._db.write() as s:
            found = queue_by_name(s, queue)
            self._check_free(s, name, found, kind=kind)
            if ref is None and needs:
                ref = self._secrets.keep(accounts.encode(clean), name)
                _after(s, "after_rollback", functools.partial(self._secrets.forget, ref))
            account = self._insert(s, name, found, settings, ref, kind=kind)
            return Written(_info(s, account), changes.collector(s))

    def add_cti(self, name: str, *, queue: str, token: str | None = None,
                token_env: str | None = None, originate_url: str = "",
                originate_method: str = "POST") -> Written[ChannelAccountInfo]:
        """Adds a phone system (CTI) account whose calls go to ``queue`` (console.services.calls).

        Args:
            token: what the phone system sends with each event (kept like a password).
            token_env: instead, the gateway's environment variable holding ``token=...``.
            originate_url / originate_method: click-to-dial, as for ``add_messaging``.
        """
        return self.add_messaging(
            ChannelKind.CTI, name, queue=queue,
            secret_values=None if token is None else {"token": token}, secrets_env=token_env,
            originate_url=originate_url, originate_method=originate_method)

    def set_originate(self, name: str, originate_url: str,
                      originate_method: str = "POST") -> Written[ChannelAccountInfo]:
        """Changes where a phone account asks the phone system to place calls ("" for nowhere)."""
        wanted: dict[str, str | int] = {
            "originate_url": _originate.check_originate_url(originate_url),
            "originate_method": _originate.check_method(originate_method)}
        return self._set_cti(name, wanted)

    def set_extension(self, name: str, login: str, extension: str) -> Written[ChannelAccountInfo]:
        """The agent's extension on the phone account (click-to-dial rings it); "" removes it.

        Raises:
            ValidationError: not a phone account, or not an extension (1 to 32 of digits,
                letters, ``*#+._-``).
            NotFound: no such account or active agent.
        """
        extension = extension.strip()
        if extension and not _EXTENSION.fullmatch(extension):
            raise ValidationError(f"'{extension[:40]}' is not a phone extension (1 to 32 digits, "
                                  "letters or *#+._-).")
        with self._db.read() as s:
            agent_by_login(s, login)
        return self._set_cti(name, {EXTENSION_PREFIX + login: extension})

    def _set_cti(self, name: str, wanted: dict[str, str | int]) -> Written[ChannelAccountInfo]:
        with self._db.write() as s:
            account = _by_name(s, name)
            if account.kind != ChannelKind.CTI:
                raise ValidationError(f"'{name}' is no phone (CTI) account.")
            # A new dict: the JSON column does not see changes made inside the old one.
            merged = {**account.settings, **wanted}
            account.settings = {k: v for k, v in merged.items() if v != ""
                                or not k.startswith(EXTENSION_PREFIX)}
            account.updated_at = self._clock.now()
            s.flush()
            changes.record(s, "channel", account.id)
            return Written(_info(s, account), changes.collector(s))

    def list(self) -> builtins.list[ChannelAccountInfo]:
        """Every account, by name, with what the gateway last reported."""
        with self._db.read() as s:
            rows = s.execute(select(ChannelAccount).order_by(ChannelAccount.name)).scalars()
            return [_info(s, a) for a in rows]

    def show(self, name: str) -> ChannelAccountInfo:
        with self._db.read() as s:
            return _info(s, _by_name(s, name))

    def update_settings(self, name: str, *, from_name: str | None = None,
                        signature: str | None = None, charset: str | None = None,
                        reopen_days: int | None = None) -> Written[ChannelAccountInfo]:
        """Changes what an e-mail account's replies carry; a setting left None stays as it is.

        Args:
            from_name: the display name of replies' From; "" for the queue's name.
            signature: put under every reply ("" for none); at most 2,000 characters.
            charset: "utf-8" or "iso-2022-jp".
            reopen_days: 0 to 365 (see ``add_email``).

        Raises:
            ValidationError: a bad value (nothing is changed), or no setting given.
            NotFound: no such account.
        """
        wanted = _reply_changes(from_name, signature, charset, reopen_days)
        with self._db.write() as s:
            account = _by_name(s, name)
            if wanted.get("from_name") == "":
                wanted["from_name"] = s.get_one(Queue, account.queue_id).name
            # A new dict: the JSON column does not see changes made inside the old one.
            account.settings = {**account.settings, **wanted}
            account.updated_at = self._clock.now()
            s.flush()
            changes.record(s, "channel", account.id)
            return Written(_info(s, account), changes.collector(s))

    def enable(self, name: str) -> Written[ChannelAccountInfo]:
        """Lets the gateway poll and send through the account again."""
        return self._set_enabled(name, enabled=True)

    def disable(self, name: str) -> Written[ChannelAccountInfo]:
        """Pauses the account (see the module docstring); nothing queued is lost."""
        return self._set_enabled(name, enabled=False)

    def remove(self, name: str) -> Written[ChannelAccountInfo]:
        """Deletes the account and its secret.

        Raises:
            ValidationError: replies are still queued or being sent through it.
        """
        with self._db.write() as s:
            account = _by_name(s, name)
            info = _info(s, account)
            if info.status.queued:
                raise ValidationError(
                    f"{_replies(info.status.queued)} still waiting to be sent through "
                    f"'{name}'; enable it and let the gateway send them (or wait for them to fail) "
                    "before removing it.")
            s.execute(update(DeliveryJobRow).where(DeliveryJobRow.channel_account_id == account.id)
                      .values(channel_account_id=None))
            s.execute(delete(ChannelIntake).where(ChannelIntake.account_id == account.id))
            s.delete(account)
            s.flush()
            changes.record(s, "channel", account.id, "delete")
            if info.secret_ref is not None:
                # Only once the removal has committed: a refused or failed one keeps its secret.
                _after(s, "after_commit", functools.partial(self._secrets.forget, info.secret_ref))
            return Written(info, changes.collector(s))

    def _set_enabled(self, name: str, *, enabled: bool) -> Written[ChannelAccountInfo]:
        with self._db.write() as s:
            account = _by_name(s, name)
            if enabled and not account.enabled:
                queue = s.get_one(Queue, account.queue_id)
                self._check_free(s, None, queue, kind=account.kind)
            account.enabled = enabled
            account.updated_at = self._clock.now()
            s.flush()
            changes.record(s, "channel", account.id)
            return Written(_info(s, account), changes.collector(s))

    def _check_free(self, s: Session, name: str | None, queue: Queue,
                    kind: ChannelKind = ChannelKind.EMAIL) -> None:
        if name is not None and s.execute(
                select(ChannelAccount.id).where(ChannelAccount.name == name)).first():
            raise ValidationError(f"There is already a channel account named '{name}'.")
        other = s.execute(select(ChannelAccount.name).where(
            ChannelAccount.queue_id == queue.id, ChannelAccount.kind == kind,
            ChannelAccount.enabled)).scalar()
        if other is not None:
            # Replies on the queue go out through its one enabled account: two would be a guess.
            kind_words = _KIND_WORDS.get(kind, kind.value)
            raise ValidationError(f"Queue '{queue.name}' already has the enabled {kind_words} "
                                  f"account '{other}'; disable it first.")

    def _insert(self, s: Session, name: str, queue: Queue, settings: dict[str, str | int],
                ref: str | None, kind: ChannelKind = ChannelKind.EMAIL) -> ChannelAccount:
        now = self._clock.now()
        account = ChannelAccount(kind=kind, name=name, queue_id=queue.id,
                                 enabled=True, settings=settings, secret_ref=ref,
                                 created_at=now, updated_at=now)
        s.add(account)
        s.flush()
        if kind == ChannelKind.EMAIL:  # a mailbox's intake position; a phone system pushes
            s.add(ChannelIntake(account_id=account.id, last_uid=0))
            s.flush()
        changes.record(s, "channel", account.id, "insert")
        return account


_KIND_WORDS = {ChannelKind.EMAIL: "e-mail", ChannelKind.TWILIO: "SMS (Twilio)",
               ChannelKind.LINE: "LINE", ChannelKind.CTI: "phone (CTI)",
               ChannelKind.MESSENGER: "Messenger", ChannelKind.WEBCHAT: "web chat"}
_EXTENSION = re.compile(r"[0-9A-Za-z*#+._-]{1,32}")


def _replies(count: int) -> str:
    return "1 reply is" if count == 1 else f"{count} replies are"


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(ord(ch) < 32 for ch in name):
        raise ValidationError(f"A channel account's name is 1 to {MAX_NAME} printable characters.")
    return name


def _reply_changes(from_name: str | None, signature: str | None, charset: str | None,
                   reopen_days: int | None) -> dict[str, str | int]:
    """The reply settings given, checked; at least one."""
    wanted: dict[str, str | int] = {}
    if from_name is not None:
        wanted["from_name"] = reply.check_from_name(from_name)
    if signature is not None:
        wanted["signature"] = reply.check_signature(signature)
    if charset is not None:
        wanted["charset"] = reply.check_charset(charset)
    if reopen_days is not None:
        wanted["reopen_days"] = reply.check_reopen_days(reopen_days)
    if not wanted:
        raise ValidationError("Nothing to change: give a From name, a signature, a charset or "
                              "the days a resolved contact reopens for.")
    return wanted


def _by_name(s: Session, name: str) -> ChannelAccount:
    account = s.execute(select(ChannelAccount).where(ChannelAccount.name == name)).scalar()
    if account is None:
        raise NotFound(f"There is no channel account named '{name[:80]}'.")
    return account


def _info(s: Session, account: ChannelAccount) -> ChannelAccountInfo:
    queue = s.get_one(Queue, account.queue_id)
    return ChannelAccountInfo(
        id=account.id, kind=account.kind, name=account.name, queue=queue.name,
        enabled=account.enabled, settings=_settings(account),
        secret_ref=account.secret_ref, secret=secrets.describe(account.secret_ref),
        created_at=account.created_at, updated_at=account.updated_at,
        status=_status(s, account.id))


def _settings(account: ChannelAccount) -> dict[str, str]:
    """The account's settings as text; an e-mail account added before the reply settings
    existed shows (and replies with) their defaults."""
    defaults = reply.DEFAULTS if account.kind == ChannelKind.EMAIL else {}
    missing = {k: v for k, v in defaults.items() if k not in account.settings}
    return {k: str(v) for k, v in (account.settings | missing).items()}


def _status(s: Session, account_id: int) -> ChannelStatus:
    intake = s.get(ChannelIntake, account_id)
    counts = dict(s.execute(
        select(DeliveryJobRow.state, func.count()).where(
            DeliveryJobRow.channel_account_id == account_id).group_by(DeliveryJobRow.state)).all())
    return ChannelStatus(
        last_poll_at=intake.last_poll_at if intake else None,
        last_error=intake.last_error if intake else None,
        last_error_at=intake.last_error_at if intake else None,
        lease_holder=intake.lease_holder if intake else None,
        lease_expires_at=intake.lease_expires_at if intake else None,
        queued=sum(counts.get(state, 0) for state in PENDING),
        failed=counts.get(DeliveryState.FAILED, 0))


def _after(s: Session, outcome: str, action: Callable[[], None]) -> None:
    """Runs ``action`` once when the unit of work ``s`` belongs to commits or rolls back."""
    event.listen(s, outcome, lambda _session: action(), once=True)
