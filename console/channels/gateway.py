"""The gateway: takes customers' mail in from every enabled e-mail account and sends replies out.

It acts through a Door as the gateway principal (``Role.GATEWAY``), which may
do the gateway's own work and nothing a person does. Everything it shares
with other gateways and with workstations goes through the database:

- **Intake.** One worker thread per enabled e-mail account. It works the
  mailbox only while it holds the account's lease (console.services.mailboxes),
  renewing it as it goes; a gateway that dies stops renewing and another takes
  over when the lease runs out. Messages are parsed outside any
  transaction and stored, up to ``intake_batch`` at a time, with the mailbox's
  new position in one (console.services.mail), so a message is taken in once
  across restarts and gateways. Between passes the worker waits with IMAP IDLE
  where the server offers it, else for the poll interval.
- **Delivery.** One worker claims due delivery jobs (``FOR UPDATE SKIP LOCKED``
  on PostgreSQL), composes each reply, sends it over SMTP and records the
  outcome: sent, a temporary failure (retried with a growing wait) or a
  permanent one ("not delivered", with the server's reason). It wakes when
  the change feed announces a new job (PostgreSQL NOTIFY; on SQLite it looks
  at the change log twice a second) and at least every few seconds for retries.

Stopping (``stop``, SIGTERM in the command) ends each worker after the step it
is in: a message being stored is stored, a reply being sent is sent and
recorded, claimed replies not yet started are given back, leases are released.

The one window that remains is SMTP's: a crash after the server accepted a
reply and before ``mark_sent`` commits sends it again once its lock has run
out, with the same Message-ID (receiving mail programs show one message).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from console.channels import messaging_accounts, registry, senders
from console.channels.errors import CredentialsRefused
from console.channels.event_worker import EventReport, EventWorker, Processor
from console.channels.mail.compose import compose_reply
from console.channels.mail.imap import Batch, FetchedMail, ImapMailbox
from console.channels.mail.parse import DEFAULT_MAX_ATTACHMENT_BYTES, parse_message
from console.channels.mail.smtp import Receipt, SmtpRelay
from console.channels.secrets import SecretStore
from console.channels.webchat.site import WebChat
from console.channels.webhooks import Hook, WebhookServer
from console.domain import Role
from console.domain.channel_accounts import (
    ChannelAccountInfo,
    ChannelKind,
    DeliveryJob,
    DeliveryState,
)
from console.errors import SwitchboardError, Unavailable, ValidationError
from console.security.principal import Principal
from console.services.mail import FetchedInbound, IntakeOutcome, LeaseLost, OutgoingMail

if TYPE_CHECKING:
    from email.message import EmailMessage

    from console.security.guard import Door

log = logging.getLogger(__name__)


def gateway_principal(name: str, *, os_user: str = "") -> Principal:
    """Who a gateway is in audit entries and permission checks: no member of staff (id 0)."""
    return Principal(0, f"gateway:{name}"[:64], f"Gateway {name}", Role.GATEWAY,
                     workstation=f"gateway:{name}"[:120], os_user=os_user)


def default_name() -> str:
    """This host and process: unique among running gateways, new after a restart."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class GatewayOptions:
    """How a gateway works.

    Attributes:
        name: this gateway's name in leases and locks (unique among running gateways).
        poll_interval_s: between passes over a mailbox whose server has no IDLE.
        lease_ttl: how long a mailbox stays this gateway's without a renewal.
        batch_size: messages fetched per IMAP round.
        intake_batch: messages stored in one transaction (a backlog goes in at several
            times the rate of one transaction per message; new mail still goes in as it comes).
        max_message_bytes: larger messages are taken in with their header only.
        max_attachment_bytes: larger attachments are recorded, not kept.
        delivery_batch: replies claimed at once.
        send_lock: how long a claimed reply is this gateway's (then another may send it).
        delivery_poll_s: the longest the delivery worker sleeps (retries fall due meanwhile).
        accounts_refresh_s: how often the list of accounts is read again.
        timeout_s: for each answer a mail server owes us.
        http: where to serve webhooks (host, port), or None for no HTTP server.
    """

    name: str
    poll_interval_s: float = 60.0
    lease_ttl: timedelta = timedelta(seconds=90)
    batch_size: int = 100
    intake_batch: int = 25
    max_message_bytes: int = 25 * 1024 * 1024
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    delivery_batch: int = 10
    send_lock: timedelta = timedelta(minutes=5)
    delivery_poll_s: float = 5.0
    accounts_refresh_s: float = 15.0
    timeout_s: float = 30.0
    http: tuple[str, int] | None = None


class Mailbox(Protocol):
    """What intake needs of a mailbox (console.channels.mail.imap.ImapMailbox)."""

    @property
    def supports_idle(self) -> bool: ...

    def fetch_new(self, uidvalidity: int | None, last_uid: int) -> Batch: ...

    def wait_for_changes(self, timeout_s: float, stop_event: threading.Event | None = None,
                         on_idle: Callable[[], None] | None = None) -> bool: ...

    def close(self) -> None: ...


class Relay(Protocol):
    """What delivery needs of an outgoing server (console.channels.mail.smtp.SmtpRelay)."""

    def send(self, message: EmailMessage) -> Receipt: ...


_Worker = tuple[threading.Thread, threading.Event, ChannelAccountInfo]
MailboxFactory = Callable[[ChannelAccountInfo, str], Mailbox]
RelayFactory = Callable[[ChannelAccountInfo, str | None], Relay]


@dataclass
class PassReport:
    """What one pass did, for logs, ``--once`` and tests.

    Attributes:
        taken_in: per account name, the outcome of each message taken in.
        skipped: accounts not read this pass, with why (another gateway has it, an error).
        sent / failed / retrying: delivery job ids by outcome.
    """

    taken_in: dict[str, list[IntakeOutcome]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    events: EventReport = field(default_factory=EventReport)

    def summary(self) -> str:
        taken = sum(len(v) for v in self.taken_in.values())
        text = (f"{taken} message(s) taken in from {len(self.taken_in)} mailbox(es); "
                f"{len(self.sent)} reply(ies) sent, {len(self.retrying)} to retry, "
                f"{len(self.failed)} not delivered; "
                f"{len(self.events.done)} webhook event(s) applied, "
                f"{len(self.events.ignored)} ignored, {len(self.events.failed)} failed")
        if self.skipped:
            text += "; skipped: " + "; ".join(f"{k} ({v})" for k, v in self.skipped.items())
        return text


class Gateway:
    """Intake and delivery for every enabled e-mail account (see the module docstring).

    Args:
        door: the services as the gateway principal may use them.
        options: how it works.
        secrets: where the accounts' passwords are read from.
        mailbox_factory / relay_factory: how a mailbox or relay is opened for an
            account and its password (IMAP/SMTP from the account's URLs by default).
    """

    def __init__(self, door: Door, options: GatewayOptions, *, secrets: SecretStore | None = None,
                 mailbox_factory: MailboxFactory | None = None,
                 relay_factory: RelayFactory | None = None,
                 hooks: Mapping[ChannelKind, Hook] | None = None,
                 processors: Mapping[ChannelKind, Processor] | None = None) -> None:
        if door.principal.role is not Role.GATEWAY:
            raise ValidationError("The gateway runs as the gateway principal.")
        self._door = door
        self.options = options
        self._secrets = secrets or SecretStore()
        self._open_mailbox = mailbox_factory or self._imap
        self._open_relay = relay_factory or self._smtp
        self._wake = threading.Event()
        self._hooks = dict(registry.hooks() if hooks is None else hooks)
        self._events = EventWorker(door, options.name, registry.processors(door, self._secrets)
                                   if processors is None else processors)
        self.server: WebhookServer | None = None
        self._kinds: dict[int, ChannelKind] = {}

    # -- one pass (switchboard gateway --once) ----------------------------------------
    def run_once(self) -> PassReport:
        """One intake pass over every enabled e-mail account, then one delivery pass."""
        report = PassReport()
        for account in self._email_accounts():
            self._intake_once(account, report)
        report.events = self._events.run_pending()
        self._deliver_due(report, threading.Event())
        log.info("pass done: %s", report.summary())
        return report

    def _intake_once(self, account: ChannelAccountInfo, report: PassReport) -> None:
        door, name = self._door, self.options.name
        if not door.mailboxes.acquire_lease(account.id, name, ttl=self.options.lease_ttl):
            holder = door.channels.show(account.name).status.lease_holder
            report.skipped[account.name] = f"read by {holder}"
            log.info("%s: the mailbox is read by %s; skipped", account.name, holder)
            return
        try:
            mailbox = self._open_mailbox(account, self._password(account))
            try:
                report.taken_in[account.name] = self._drain(account, mailbox, threading.Event())
                door.mailboxes.record_poll(account.id, name)
            finally:
                mailbox.close()
        except (Unavailable, ValidationError, CredentialsRefused) as problem:
            report.skipped[account.name] = str(problem)
            self._report_error(account, problem)
        except LeaseLost as lost:
            report.skipped[account.name] = str(lost)
        finally:
            door.mailboxes.release_lease(account.id, name)

    # -- serving (switchboard gateway) --------------------------------------------------
    def serve(self, stop: threading.Event) -> None:
        """Runs intake and delivery until ``stop`` is set, then stops cleanly."""
        log.info("gateway %s starting", self.options.name)
        workers: dict[int, _Worker] = {}
        delivery = threading.Thread(target=self._delivery_loop, args=(stop,),
                                    name="delivery", daemon=True)
        delivery.start()
        events = threading.Thread(target=self._events.loop, args=(stop,), name="events",
                                  daemon=True)
        events.start()
        if self.options.http is not None:
            self.server = WebhookServer(self._door, name=self.options.name, hooks=self._hooks,
                                        secrets=self._secrets, on_stored=self._events.wake.set,
                                        sites=[WebChat(self._door)])
            try:
                self.server.start(*self.options.http)
            except Unavailable:
                stop.set()
                self._wake.set()
                self._events.wake.set()
                delivery.join()
                events.join()
                raise
        waker = threading.Thread(target=self._follow_changes, args=(stop,), name="wake",
                                 daemon=True)
        waker.start()
        try:
            while not stop.is_set():
                self._supervise(workers)
                stop.wait(self.options.accounts_refresh_s)
        finally:
            stop.set()
            if self.server is not None:
                self.server.stop()  # no new requests; those being answered finish
            self._wake.set()
            self._events.wake.set()
            for _, own_stop, _ in workers.values():
                own_stop.set()
            for thread, _, _ in workers.values():
                thread.join()
            delivery.join()
            events.join()
            log.info("gateway %s stopped", self.options.name)

    def _supervise(self, workers: dict[int, _Worker]) -> None:
        """Starts a worker for each enabled account, stops those of disabled or removed ones,
        and restarts those whose account an administrator changed."""
        try:
            accounts = {a.id: a for a in self._email_accounts()}
        except Unavailable as down:
            log.warning("cannot read the channel accounts: %s", down)
            return
        for account_id, (thread, own_stop, seen) in list(workers.items()):
            now = accounts.get(account_id)
            if now is None or now.updated_at != seen.updated_at or not thread.is_alive():
                own_stop.set()
                thread.join()
                del workers[account_id]
        for account_id, account in accounts.items():
            if account_id not in workers:
                own_stop = threading.Event()
                # Its own stop: set when the account goes away, and for all when the gateway stops.
                thread = threading.Thread(target=self._mailbox_loop, args=(account, own_stop),
                                          name=f"intake-{account.name}", daemon=True)
                workers[account_id] = (thread, own_stop, account)
                thread.start()

    def _mailbox_loop(self, account: ChannelAccountInfo, stop: threading.Event) -> None:
        door, name, ttl = self._door, self.options.name, self.options.lease_ttl
        slice_s = max(ttl.total_seconds() / 3, 1.0)  # renew well before the lease runs out
        mailbox: Mailbox | None = None
        failures = 0
        try:
            while not stop.is_set():
                try:
                    if not door.mailboxes.acquire_lease(account.id, name, ttl=ttl):
                        stop.wait(slice_s)
                        continue
                    if mailbox is None:
                        mailbox = self._open_mailbox(account, self._password(account))
                    self._drain(account, mailbox, stop)
                    door.mailboxes.record_poll(account.id, name)
                    failures = 0
                    self._wait_for_mail(account, mailbox, stop, slice_s)
                except LeaseLost as lost:
                    log.warning("%s: %s", account.name, lost)
                except (Unavailable, ValidationError, CredentialsRefused) as problem:
                    failures += 1
                    self._report_error(account, problem)
                    _closed(mailbox)
                    mailbox = None
                    stop.wait(min(5.0 * 2 ** min(failures - 1, 6), 300.0))
                except Exception:
                    # A bug: logged with its traceback and shown to administrators as one,
                    # never as the server being away; the mailbox is tried again later.
                    failures += 1
                    log.exception("%s: internal error in the gateway's intake", account.name)
                    self._report_error(account, RuntimeError(
                        "Internal error in the gateway (a bug); the details are in its log."))
                    _closed(mailbox)
                    mailbox = None
                    stop.wait(min(30.0 * 2 ** min(failures - 1, 4), 600.0))
        finally:
            if mailbox is not None:
                mailbox.close()
            with contextlib.suppress(SwitchboardError):
                door.mailboxes.release_lease(account.id, name)

    def _wait_for_mail(self, account: ChannelAccountInfo, mailbox: Mailbox,
                       stop: threading.Event, slice_s: float) -> None:
        """Waits for new mail (IDLE) or the poll interval, renewing the lease every slice."""
        door, name, ttl = self._door, self.options.name, self.options.lease_ttl
        waited = 0.0
        idle = mailbox.supports_idle
        while not stop.is_set():
            if idle:
                if mailbox.wait_for_changes(slice_s, stop):
                    return
            elif waited >= self.options.poll_interval_s:
                return
            else:
                step = min(slice_s, self.options.poll_interval_s - waited)
                stop.wait(step)
                waited += step
            if not door.mailboxes.renew_lease(account.id, name, ttl=ttl):
                raise LeaseLost(f"The lease on the mailbox of '{account.name}' ran out.")

    def _drain(self, account: ChannelAccountInfo, mailbox: Mailbox,
               stop: threading.Event) -> list[IntakeOutcome]:
        """Takes in every new message of the mailbox, batch by batch."""
        door, name = self._door, self.options.name
        state = door.mailboxes.state(account.id)
        uidvalidity, last_uid = state.uidvalidity, state.last_uid
        outcomes: list[IntakeOutcome] = []
        step = max(1, self.options.intake_batch)
        while not stop.is_set():
            batch = mailbox.fetch_new(uidvalidity, last_uid)
            for start in range(0, len(batch.messages), step):
                if stop.is_set():
                    return outcomes
                chunk = batch.messages[start: start + step]
                taken = door.mail.take_in_many(account.id, name, uidvalidity=batch.uidvalidity,
                                               fetched=[self._read(f) for f in chunk])
                for fetched, outcome in zip(chunk, taken, strict=True):
                    log.info("%s: UID %d %s%s", account.name, fetched.uid, outcome.outcome,
                             f" (contact {outcome.contact_id})" if outcome.contact_id else "")
                outcomes.extend(taken)
            uidvalidity = batch.uidvalidity
            last_uid = batch.last_uid or (0 if batch.uidvalidity_changed else last_uid)
            if not batch.more:
                break
            # A long backlog outlasts a lease: renew it batch by batch while draining.
            if not door.mailboxes.renew_lease(account.id, name, ttl=self.options.lease_ttl):
                raise LeaseLost(f"The lease on the mailbox of '{account.name}' ran out.")
        return outcomes

    def _read(self, fetched: FetchedMail) -> FetchedInbound:
        digest = hashlib.sha256(fetched.raw).hexdigest()
        try:
            mail = parse_message(fetched.raw, max_attachment_bytes=self.options.max_attachment_bytes)
        except ValidationError as unreadable:
            log.warning("UID %d is not an e-mail message: %s", fetched.uid, unreadable)
            return FetchedInbound(fetched.uid, None, digest, fetched.size, fetched.complete,
                                  self.options.max_message_bytes, str(unreadable))
        return FetchedInbound(fetched.uid, mail, digest, fetched.size, fetched.complete,
                              self.options.max_message_bytes)

    # -- delivery ----------------------------------------------------------------------
    def _delivery_loop(self, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            self._wake.clear()
            try:
                report = PassReport()
                busy = self._deliver_due(report, stop)
                failures = 0
            except Unavailable as down:
                failures += 1
                log.warning("delivery paused: %s", down)
                stop.wait(min(2.0 * 2 ** min(failures - 1, 6), 120.0))
                continue
            if not busy:
                self._wake.wait(self.options.delivery_poll_s)

    def _follow_changes(self, stop: threading.Event) -> None:
        """Wakes the delivery worker when the change log moves (a new reply to send)."""
        changes = self._door.changes
        if changes.notifies:
            while not stop.is_set():
                try:
                    changes.listen(self._wake.set, stop)
                except Unavailable as down:
                    log.warning("change notifications lost (%s); retrying", down)
                    stop.wait(2.0)
            return
        last = -1
        while not stop.wait(0.5):
            with contextlib.suppress(Unavailable):
                seq = changes.last_seq()
                if seq != last:
                    last = seq
                    self._wake.set()

    def _deliver_due(self, report: PassReport, stop: threading.Event) -> bool:
        """Sends what is due now; returns whether a full batch was claimed (more may wait)."""
        door, options = self._door, self.options
        relays: dict[int, Relay] = {}
        claimed = 0
        while not stop.is_set():
            jobs = door.deliveries.claim_due(options.name, limit=options.delivery_batch,
                                             lock_for=options.send_lock)
            claimed = len(jobs)
            if jobs:
                self._kinds = {a.id: a.kind for a in door.channels.list()}
            for index, job in enumerate(jobs):
                if stop.is_set():
                    for left in jobs[index:]:
                        door.deliveries.release(left.id, holder=options.name)
                    return False
                self._deliver(job, relays, report)
            if claimed < options.delivery_batch:
                return False
        return claimed == options.delivery_batch

    def _deliver(self, job: DeliveryJob, relays: dict[int, Relay], report: PassReport) -> None:
        kind = self._kinds.get(job.channel_account_id or -1, ChannelKind.EMAIL)
        if kind != ChannelKind.EMAIL:
            self._deliver_message(job, report)
            return
        door = self._door
        try:
            out = door.mail.outgoing(job.id)
            if not out.to_address:
                raise ValidationError("The customer has no e-mail address to reply to.")
            message = _compose(out)
            relay = relays.get(job.channel_account_id or 0)
            if relay is None:
                account = door.channels.show(out.account_name)
                relay = self._open_relay(account, self._password(account))
                relays[job.channel_account_id or 0] = relay
            receipt = relay.send(message)
        except SwitchboardError as problem:
            self._failed(job, problem, report)
            return
        except Exception:
            self._internal_error(job, report)
            return
        response = f"{receipt.code} {receipt.response}"
        if receipt.refused:
            response += "; refused: " + ", ".join(f"{a} ({c} {t})"
                                                  for a, (c, t) in receipt.refused.items())
        door.deliveries.mark_sent(job.id, smtp_response=response)
        report.sent.append(job.id)
        log.info("reply %d (contact %d) sent to %s: %s", job.id, job.contact_id, out.to_address,
                 response)

    def _deliver_message(self, job: DeliveryJob, report: PassReport) -> None:
        """One LINE, SMS or Messenger reply through its provider (console.channels.senders)."""
        door = self._door
        try:
            out = door.messaging.outgoing(job.id)
            account = door.channels.show(out.account_name)
            sent = senders.send(out, messaging_accounts.read_secrets(self._secrets, account),
                                door.clock)
        except SwitchboardError as problem:
            self._failed(job, problem, report)
            return
        except Exception:
            self._internal_error(job, report)
            return
        door.deliveries.mark_sent(job.id, smtp_response=sent.response, method=sent.method,
                                  provider_message_id=sent.provider_message_id)
        report.sent.append(job.id)
        log.info("reply %d (contact %d) sent by %s: %s", job.id, job.contact_id, sent.method,
                 sent.response)

    def _internal_error(self, job: DeliveryJob, report: PassReport) -> None:
        """A bug in composing or sending this one reply: the others still go; it is retried
        (and fails for good after the queue's attempts), its reason says so."""
        log.exception("reply %d (contact %d): internal error", job.id, job.contact_id)
        self._door.deliveries.mark_temporary_failure(
            job.id, holder=self.options.name,
            reason="Internal error in the gateway (a bug); the details are in its log.")
        report.retrying.append(job.id)

    def _failed(self, job: DeliveryJob, problem: SwitchboardError, report: PassReport) -> None:
        """Records why a reply did not go: to be retried, or not delivered."""
        door, name = self._door, self.options.name
        # 4xx, no connection, a secret that cannot be read now, a refused account (the
        # administrator's to fix): the reply waits and is retried, it is not lost.
        if isinstance(problem, Unavailable | CredentialsRefused):
            moved = door.deliveries.mark_temporary_failure(job.id, holder=name, reason=str(problem))
            failed = moved.state == DeliveryState.FAILED
            (report.failed if failed else report.retrying).append(job.id)
            log.warning("reply %d (contact %d)%s: %s", job.id, job.contact_id,
                        " not delivered" if failed else ", to retry", problem)
            return
        # 5xx, no address, a message that cannot be composed (a permanent failure).
        door.deliveries.mark_permanent_failure(job.id, holder=name, reason=str(problem))
        report.failed.append(job.id)
        log.warning("reply %d (contact %d) not delivered: %s", job.id, job.contact_id, problem)

    # -- helpers -----------------------------------------------------------------------
    def _email_accounts(self) -> list[ChannelAccountInfo]:
        return [a for a in self._door.channels.list() if a.enabled and a.kind == ChannelKind.EMAIL]

    def _password(self, account: ChannelAccountInfo) -> str:
        return self._secrets.read(account.secret_ref) if account.secret_ref else ""

    def _report_error(self, account: ChannelAccountInfo, problem: Exception) -> None:
        log.warning("%s: %s", account.name, problem)
        with contextlib.suppress(SwitchboardError):
            # Recorded only while this gateway holds the mailbox; else another reports it.
            self._door.mailboxes.record_poll(account.id, self.options.name, error=str(problem))

    def _imap(self, account: ChannelAccountInfo, password: str) -> Mailbox:
        return ImapMailbox(account.settings["imap_url"], password,
                           timeout_s=self.options.timeout_s, batch_size=self.options.batch_size,
                           max_message_bytes=self.options.max_message_bytes)

    def _smtp(self, account: ChannelAccountInfo, password: str | None) -> Relay:
        return SmtpRelay(account.settings["smtp_url"], password or None,
                         timeout_s=self.options.timeout_s)


def _closed(mailbox: Mailbox | None) -> None:
    if mailbox is not None:
        mailbox.close()


def _compose(out: OutgoingMail) -> EmailMessage:
    settings = out.settings
    return compose_reply(
        from_address=out.from_address, from_name=out.from_name, to_address=out.to_address,
        to_name=out.to_name, subject=out.subject, body=out.body,
        message_id=out.rfc822_message_id, in_reply_to=out.in_reply_to or None,
        references=out.references, date=out.written_at,
        charset=settings.get("charset", "utf-8") or "utf-8",
        signature=settings.get("signature", ""), token=f"[#{out.contact_id}]")
