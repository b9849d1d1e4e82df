"""E-mail as the gateway stores it: one inbound message in, one outgoing reply's particulars out.

``take_in`` stores one message a gateway fetched from a mailbox (``take_in_many``
several), in one transaction with the mailbox's new intake position, so a
message is either taken in and counted or neither (a crash in between takes
it in again on the next pass, and the unique (account, Message-ID) row
recognises it):

- our own mail coming back (a Message-ID we sent) and duplicates: skipped;
- a bounce (a delivery report): marks the reply it reports on "not delivered";
- auto-replies and list mail: recorded, never a contact;
- customer mail joins its contact by In-Reply-To/References (a message we
  took in or sent), else by the ``[#123]`` token our replies carry in the
  subject when the sender is that contact's customer; a resolved contact
  reopens within the account's reopen window (``reopen_days``), after it a
  new contact follows the old one; otherwise a new contact opens. The sender
  is matched to a customer by e-mail address; an unknown sender becomes a
  new customer record.

``outgoing`` gives the gateway what it needs to compose one reply.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import (
    ACTIVE_STATUSES,
    Channel,
    ContactEventKind,
    ContactStatus,
    MessageKind,
    Priority,
)
from console.domain.channel_accounts import DeliveryState
from console.domain.channels import InboundMail, MailKind
from console.errors import NotFound
from console.services import deliveries, sla_engine
from console.services.customers import name_keys
from console.services.mailboxes import MailboxLeases
from console.store import changes
from console.store.db import Database
from console.store.models import (
    Contact,
    ContactEvent,
    Customer,
    CustomerEmail,
    Message,
)
from console.store.models_channels import (
    ChannelAccount,
    DeliveryJobRow,
    InboundMailRecord,
    MessageAttachment,
)

MAX_SUBJECT = 200
DEFAULT_REOPEN_DAYS = 7
_TOKEN = re.compile(r"\[#(\d{1,12})\]")
# Reply prefixes a new contact's subject does without (a forward keeps its "Fwd:": it says
# the customer passes something on).
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|返信)\s*(\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE)


class LeaseLost(Exception):
    """The mailbox's lease passed to another gateway: nothing was stored; stop reading it."""


@dataclass(frozen=True, slots=True)
class FetchedInbound:
    """One message as the gateway hands it over.

    Attributes:
        uid: its UID in the mailbox.
        mail: the parsed message, or None when its bytes are no e-mail at all.
        digest: sha256 hex of the raw bytes (the identity of a message without a Message-ID).
        size: the whole message's size in bytes.
        complete: False when only its header was fetched (over the mailbox's size limit).
        max_bytes: the mailbox's size limit (for the note when the message was over it).
        rejected: why the bytes could not be read, when ``mail`` is None.
    """

    uid: int
    mail: InboundMail | None
    digest: str
    size: int
    complete: bool = True
    max_bytes: int = 0
    rejected: str = ""


@dataclass(frozen=True, slots=True)
class IntakeOutcome:
    """What became of one inbound message.

    Attributes:
        outcome: new_contact, joined, reopened, follow_up, duplicate, own, bounce,
            auto_reply, list, rejected.
        contact_id: the contact it opened, joined or concerns (None when none).
        message_id: the thread message it became (None when it is none).
    """

    outcome: str
    contact_id: int | None = None
    message_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """What the gateway needs to compose and send one reply.

    Attributes:
        to_address: the customer's address: who last wrote on the contact, else the
            customer's first e-mail address ("" when there is none: it cannot be sent).
        in_reply_to: the Message-ID (with angle brackets) it answers, "" when none.
        references: the thread's Message-IDs, oldest first, with angle brackets.
        settings: the account's settings (address, smtp_url, from_name, charset, signature).
    """

    job_id: int
    contact_id: int
    message_id: uuid.UUID
    rfc822_message_id: str
    account_name: str
    secret_ref: str | None
    settings: dict[str, str]
    from_address: str
    from_name: str
    to_address: str
    to_name: str
    subject: str
    body: str
    in_reply_to: str
    references: tuple[str, ...]
    written_at: datetime


class MailService:
    """E-mail intake and the particulars of outgoing replies (see the module docstring)."""

    def __init__(self, db: Database, clock: Clock, leases: MailboxLeases) -> None:
        self._db = db
        self._clock = clock
        self._leases = leases

    def take_in(self, account_id: int, holder: str, *, uidvalidity: int,
                fetched: FetchedInbound) -> IntakeOutcome:
        """Stores one fetched message and moves the mailbox's position past it, together.

        Raises:
            LeaseLost: ``holder`` no longer holds the mailbox; nothing was stored.
            NotFound: there is no such account.
        """
        [outcome] = self.take_in_many(account_id, holder, uidvalidity=uidvalidity,
                                      fetched=[fetched])
        return outcome

    def take_in_many(self, account_id: int, holder: str, *, uidvalidity: int,
                     fetched: Sequence[FetchedInbound]) -> list[IntakeOutcome]:
        """Stores fetched messages and moves the mailbox's position past the last, all together.

        One transaction for a backlog's worth: the commit, the change log's lock
        and the position are paid once rather than per message. Each message is
        stamped with the time it is stored, so a batch keeps its order in a thread.

        Raises:
            LeaseLost: ``holder`` no longer holds the mailbox; nothing was stored.
            NotFound: there is no such account.
        """
        if not fetched:
            return []
        with self._db.write() as s:
            account = s.get(ChannelAccount, account_id)
            if account is None:
                raise NotFound(f"There is no channel account {account_id}.")
            outcomes = [_Intake(s, account, uidvalidity, one, self._clock.now()).run()
                        for one in fetched]
            if not self._leases.record_intake(account_id, holder, uidvalidity=uidvalidity,
                                              last_uid=max(one.uid for one in fetched),
                                              now=self._clock.now()):
                raise LeaseLost(f"The mailbox of '{account.name}' is now read by another gateway.")
            return outcomes

    def outgoing(self, job_id: int) -> OutgoingMail:
        """The particulars of delivery job ``job_id``'s reply.

        Raises:
            NotFound: no such job, or its account was removed.
        """
        with self._db.read() as s:
            job, account, message, contact = deliveries.job_parts(s, job_id)
            last = s.execute(
                select(InboundMailRecord).where(InboundMailRecord.contact_id == contact.id,
                                             InboundMailRecord.message_id.is_not(None))
                .order_by(InboundMailRecord.id.desc()).limit(1)).scalar()
            to_address, to_name = _recipient(s, contact, last)
            settings = {k: str(v) for k, v in account.settings.items()}
            references: tuple[str, ...] = ()
            in_reply_to = ""
            if last is not None and not last.rfc822_message_id.startswith("sha256:"):
                in_reply_to = f"<{last.rfc822_message_id}>"
                references = (*(f"<{r}>" for r in last.references), in_reply_to)
            return OutgoingMail(
                job_id=job.id, contact_id=contact.id, message_id=message.id,
                rfc822_message_id=job.rfc822_message_id, account_name=account.name,
                secret_ref=account.secret_ref, settings=settings,
                from_address=settings.get("address", ""),
                from_name=settings.get("from_name", ""), to_address=to_address, to_name=to_name,
                subject=contact.subject, body=message.body, in_reply_to=in_reply_to,
                references=references, written_at=message.created_at)


class _Intake:
    """One message's way into the database, in the caller's transaction."""

    def __init__(self, s: Session, account: ChannelAccount, uidvalidity: int,
                 fetched: FetchedInbound, now: datetime) -> None:
        self.s = s
        self.account = account
        self.uidvalidity = uidvalidity
        self.fetched = fetched
        self.mail = fetched.mail
        self.now = now

    def run(self) -> IntakeOutcome:
        mail = self.mail
        rfc_id = (mail.message_id if mail is not None and mail.message_id
                  else f"sha256:{self.fetched.digest}")[:255]
        s = self.s
        seen = s.execute(select(InboundMailRecord.contact_id).where(
            InboundMailRecord.account_id == self.account.id,
            InboundMailRecord.rfc822_message_id == rfc_id)).first()
        if seen is not None:
            return IntakeOutcome("duplicate", seen[0])
        if mail is None:
            self._record(rfc_id, "rejected", None, None, [self.fetched.rejected])
            return IntakeOutcome("rejected")
        if s.execute(select(DeliveryJobRow.id).where(
                DeliveryJobRow.rfc822_message_id == f"<{rfc_id}>")).first():
            # Our own reply, copied into the mailbox (a Cc or a Sent folder): not customer mail.
            self._record(rfc_id, "own", None, None)
            return IntakeOutcome("own")
        if mail.kind == MailKind.BOUNCE:
            return self._bounce(rfc_id, mail)
        if mail.kind in (MailKind.AUTO_REPLY, MailKind.LIST):
            contact_id = self._thread_by_ids(mail)
            self._record(rfc_id, mail.kind.value, contact_id, None)
            return IntakeOutcome(mail.kind.value, contact_id)
        return self._customer_mail(rfc_id, mail)

    # -- customer mail -------------------------------------------------------
    def _customer_mail(self, rfc_id: str, mail: InboundMail) -> IntakeOutcome:
        s, now = self.s, self.now
        contact_id = self._thread_by_ids(mail) or self._thread_by_token(mail)
        contact = s.get(Contact, contact_id) if contact_id is not None else None
        outcome = "joined"
        follows: int | None = None
        if contact is not None and contact.status not in ACTIVE_STATUSES:
            window = timedelta(days=_reopen_days(self.account))
            if contact.resolved_at is not None and now - contact.resolved_at <= window:
                self._reopen(contact)
                outcome = "reopened"
            else:
                follows, contact, outcome = contact.id, None, "follow_up"
        if contact is None:
            customer_id = (s.get_one(Contact, follows).customer_id if follows is not None
                           else self._customer(mail))
            contact = self._new_contact(mail, customer_id, follows)
            outcome = "new_contact" if follows is None else outcome
        else:
            if contact.status == ContactStatus.PENDING:
                # The customer answered: the contact needs work again and its SLA clock runs.
                sla_engine.on_status_change(s, contact, ContactStatus.OPEN, now)
                contact.status = ContactStatus.OPEN
                s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.STATUS,
                                   created_at=now, detail="open: the customer replied"))
            contact.preview = _preview(mail.text)
            contact.updated_at = now
            contact.version += 1
            changes.record(s, "contact", contact.id)
        message = self._message(contact.id, mail)
        self._record(rfc_id, MailKind.CUSTOMER.value, contact.id, message.id)
        return IntakeOutcome(outcome, contact.id, message.id)

    def _thread_by_ids(self, mail: InboundMail) -> int | None:
        """The contact of the newest message this one answers, by In-Reply-To, then References."""
        ids = [i for i in (mail.in_reply_to, *reversed(mail.references)) if i][:50]
        if not ids:
            return None
        s = self.s
        found: dict[str, int] = {}
        for rfc_id, contact_id in s.execute(
                select(InboundMailRecord.rfc822_message_id, InboundMailRecord.contact_id).where(
                    InboundMailRecord.rfc822_message_id.in_(ids),
                    InboundMailRecord.contact_id.is_not(None))):
            if contact_id is not None:
                found[rfc_id] = contact_id
        bracketed = {f"<{i}>": i for i in ids}
        for rfc_id, contact_id in s.execute(
                select(DeliveryJobRow.rfc822_message_id, Message.contact_id)
                .join(Message, Message.id == DeliveryJobRow.message_id)
                .where(DeliveryJobRow.rfc822_message_id.in_(bracketed))):
            found[bracketed[rfc_id]] = contact_id
        return next((found[i] for i in ids if i in found), None)

    def _thread_by_token(self, mail: InboundMail) -> int | None:
        """The contact named by a ``[#123]`` in the subject, only when the sender is its customer.

        A token alone is not trusted: someone forwarding our reply, or quoting
        another customer's subject, must not land in that customer's contact.
        """
        match = _TOKEN.search(mail.subject)
        if match is None or not mail.from_address:
            return None
        contact = self.s.get(Contact, int(match.group(1)))
        if contact is None or contact.channel != Channel.EMAIL or contact.customer_id is None:
            return None
        sender = mail.from_address.casefold()
        known = self.s.execute(select(CustomerEmail.id).where(
            CustomerEmail.customer_id == contact.customer_id,
            func.lower(CustomerEmail.email) == sender)).first()
        return contact.id if known else None

    def _reopen(self, contact: Contact) -> None:
        s, now = self.s, self.now
        status = ContactStatus.OPEN if contact.assignee_id is not None else ContactStatus.NEW
        sla_engine.on_status_change(s, contact, status, now)
        contact.status, contact.resolved_at = status, None
        s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.REOPENED,
                           created_at=now, detail=f"{status.value}: the customer replied by e-mail"))

    def _customer(self, mail: InboundMail) -> int | None:
        """The customer with the sender's address, or a new customer record for them."""
        s = self.s
        sender = mail.from_address.strip().casefold()
        if not sender or "@" not in sender:
            return None
        existing = s.execute(select(CustomerEmail.customer_id).where(
            func.lower(CustomerEmail.email) == sender).order_by(CustomerEmail.customer_id)
            .limit(1)).scalar()
        if existing is not None:
            return existing
        given, family, given_kanji, family_kanji, language = _names(mail.from_name, sender)
        customer = Customer(
            given_name=given, family_name=family, given_name_kanji=given_kanji,
            family_name_kanji=family_kanji, language=language, segment="retail", vip=False,
            created_at=self.now, updated_at=self.now, version=1,
            **name_keys(given, family, given_kanji, family_kanji, None, None))
        s.add(customer)
        s.flush()
        s.add(CustomerEmail(customer_id=customer.id, email=sender[:254]))
        changes.record(s, "customer", customer.id, "insert")
        return customer.id

    def _new_contact(self, mail: InboundMail, customer_id: int | None,
                     follows: int | None) -> Contact:
        s, now = self.s, self.now
        subject = " ".join(_REPLY_PREFIX.sub("", mail.subject).split())[:MAX_SUBJECT]
        contact = Contact(
            channel=Channel.EMAIL, queue_id=self.account.queue_id, customer_id=customer_id,
            subject=subject or "(no subject)", preview=_preview(mail.text),
            status=ContactStatus.NEW, priority=int(Priority.NORMAL), created_at=now,
            updated_at=now, version=1, sla_paused_s=0, follows_contact_id=follows)
        sla_engine.stamp(s, contact)
        s.add(contact)
        s.flush()
        detail = f"via e-mail ({self.account.name})"
        if follows is not None:
            detail += f"; follows contact #{follows}"
        s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.CREATED, created_at=now,
                           detail=detail))
        changes.record(s, "contact", contact.id, "insert")
        return contact

    def _message(self, contact_id: int, mail: InboundMail) -> Message:
        s, now = self.s, self.now
        text = mail.text.strip()
        if not self.fetched.complete:
            text = (f"{text}\n\n" if text else "") + _oversized_note(self.fetched)
        message = Message(id=uuid.uuid4(), contact_id=contact_id, kind=MessageKind.INBOUND,
                          body=text or "(no text)", created_at=now)
        s.add(message)
        s.flush()
        for item in mail.attachments:
            note = None
            if item.content is None:
                note = (f"Not kept: {_megabytes(item.size)}, over the limit for attachments. "
                        "Ask the customer to send it another way.")
            s.add(MessageAttachment(
                message_id=message.id, filename=item.filename[:255],
                content_type=item.content_type[:127], size=item.size, content=item.content,
                inline=item.inline, content_id=item.content_id[:255], note=note))
        for part in mail.undecodable:
            charset = part.declared_charset or "none declared"
            s.add(MessageAttachment(
                message_id=message.id, filename=f"{part.label} (original bytes).bin"[:255],
                content_type="application/octet-stream", size=len(part.raw), content=part.raw,
                inline=False, content_id="",
                note=f"The original bytes of {part.label}: no character set explains them "
                     f"(charset: {charset})."[:300]))
        # Of a message taken in by its header only, the body's "damage" is our own cut.
        if mail.problems and self.fetched.complete:
            s.add(Message(id=uuid.uuid4(), contact_id=contact_id, kind=MessageKind.NOTE,
                          body="The gateway could not read all of this e-mail:\n"
                               + "\n".join(f"- {p}" for p in mail.problems),
                          created_at=now))
        changes.record(s, "message", message.id, "insert")
        return message

    # -- not customer mail ---------------------------------------------------
    def _bounce(self, rfc_id: str, mail: InboundMail) -> IntakeOutcome:
        s, now = self.s, self.now
        job = None
        if mail.bounced_message_id:
            job = s.execute(select(DeliveryJobRow).where(
                DeliveryJobRow.rfc822_message_id == f"<{mail.bounced_message_id}>")).scalar()
        contact_id = None
        if job is not None:
            contact_id = s.execute(select(Message.contact_id).where(
                Message.id == job.message_id)).scalar_one()
            reason = " ".join(f"bounced: {mail.bounce_reason or mail.subject}".split())[:1000]
            s.execute(update(DeliveryJobRow).where(DeliveryJobRow.id == job.id).values(
                state=DeliveryState.FAILED, last_error=reason, locked_by=None,
                locked_until=None, updated_at=now).execution_options(synchronize_session=False))
            changes.record(s, "delivery", job.id)
            changes.record(s, "message", job.message_id)
        self._record(rfc_id, MailKind.BOUNCE.value, contact_id, None)
        return IntakeOutcome("bounce", contact_id)

    def _record(self, rfc_id: str, kind: str, contact_id: int | None,
                message_id: uuid.UUID | None, problems: list[str] | None = None) -> None:
        mail = self.mail
        self.s.add(InboundMailRecord(
            account_id=self.account.id, rfc822_message_id=rfc_id, message_id=message_id,
            contact_id=contact_id, kind=kind, uidvalidity=self.uidvalidity, uid=self.fetched.uid,
            from_address=(mail.from_address if mail else "")[:320],
            subject=(mail.subject if mail else "")[:500],
            in_reply_to=(mail.in_reply_to if mail else "")[:255],
            references=[r[:255] for r in (mail.references if mail else ())][-50:],
            problems=list(problems if problems is not None else (mail.problems if mail else ())),
            received_at=self.now))
        self.s.flush()


def _recipient(s: Session, contact: Contact, last: InboundMailRecord | None) -> tuple[str, str]:
    name = ""
    if contact.customer_id is not None:
        customer = s.get_one(Customer, contact.customer_id)
        name = (f"{customer.family_name_kanji or ''} {customer.given_name_kanji or ''}".strip()
                if customer.language == "ja" and customer.family_name_kanji
                else f"{customer.given_name} {customer.family_name}".strip())
    if last is not None and last.from_address:
        return last.from_address, name
    if contact.customer_id is None:
        return "", name
    first = s.execute(select(CustomerEmail.email).where(
        CustomerEmail.customer_id == contact.customer_id).order_by(CustomerEmail.id)
        .limit(1)).scalar()
    return first or "", name


def _names(display: str, address: str) -> tuple[str, str, str | None, str | None, str]:
    """given, family, given kanji, family kanji and language from a From display name.

    Japanese names come family name first ("山田 太郎"); Latin ones given name
    first ("Taro Yamada"). With no name, the address's local part stands in.
    """
    words = display.replace("\u3000", " ").split()
    if not words:
        return "", address.partition("@")[0][:80], None, None, "en"
    if any(_is_cjk(ch) for ch in display):
        family, given = words[0], " ".join(words[1:])
        return given[:80], family[:80], (given[:40] or None), family[:40], "ja"
    if len(words) == 1:
        return "", words[0][:80], None, None, "en"
    return " ".join(words[:-1])[:80], words[-1][:80], None, None, "en"


def _is_cjk(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uff66" <= ch <= "\uff9f"


def _reopen_days(account: ChannelAccount) -> int:
    try:
        return max(0, int(account.settings.get("reopen_days", DEFAULT_REOPEN_DAYS)))
    except (TypeError, ValueError):
        return DEFAULT_REOPEN_DAYS


def _preview(text: str) -> str:
    return " ".join(text.split())[:200]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _oversized_note(fetched: FetchedInbound) -> str:
    return (f"[This message is {_megabytes(fetched.size)}, over the mailbox's limit of "
            f"{_megabytes(fetched.max_bytes)}: only its header was taken in. Ask the customer "
            "to send the attachments another way or in smaller parts.]")

