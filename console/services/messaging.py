"""Messages from LINE, SMS (Twilio), Messenger and the web chat, as the gateway stores them.

``take_in`` stores one customer message (already parsed from its provider's
webhook event, its media already fetched) in one transaction:

- **Who wrote.** The sender is an identity of a customer: a LINE user id, a
  Messenger PSID, a web chat visitor (``customer_identities``), or, for SMS,
  a phone number (``customer_phones``, E.164). An unknown identity becomes a
  new customer record, named from the provider's profile when there is one;
  an agent can later link it to the right customer (``link_identity``).
- **Which contact.** The customer's open contact on that channel and queue
  for that sender joins the message (``external_ref`` holds the sender); a
  customer with none gets a new contact.
- **What it says.** Text as sent; stickers and locations as readable
  labels; images, files, audio and video as attachments (with a note when
  one could not be fetched or was too large).

``identity`` tells who wrote on a contact (a phone number masked);
``link_identity`` / ``unlink_identity`` move that identity (with its open
contacts) to another customer, or split it off to a record of its own;
both are audited by the door and return what they changed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select, true, update
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import (
    ACTIVE_STATUSES,
    Channel,
    ContactEventKind,
    ContactStatus,
    MessageKind,
    Priority,
    Written,
)
from console.domain.channel_accounts import ChannelKind
from console.domain.messaging import SenderIdentity
from console.errors import NotFound, ValidationError
from console.masking import phone_hint
from console.services import deliveries, sla_engine
from console.services.customers import name_keys
from console.store import changes
from console.store.db import Database
from console.store.models import (
    Account,
    Contact,
    ContactEvent,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Message,
)
from console.store.models_channels import (
    ChannelAccount,
    ChannelEvent,
    CustomerIdentity,
    DeliveryJobRow,
    MessageAttachment,
)

MAX_SUBJECT = 200
# Each messaging kind's channel in the inbox, and the identity its senders have.
CHANNEL_OF = {ChannelKind.LINE: Channel.LINE, ChannelKind.TWILIO: Channel.SMS,
              ChannelKind.MESSENGER: Channel.SOCIAL, ChannelKind.WEBCHAT: Channel.CHAT}
IDENTITY_OF = {ChannelKind.LINE: "line", ChannelKind.MESSENGER: "messenger",
               ChannelKind.WEBCHAT: "webchat", ChannelKind.TWILIO: "phone"}
_IDENTITY_OF_CHANNEL = {CHANNEL_OF[k]: IDENTITY_OF[k] for k in CHANNEL_OF}
_LABEL = {"line": "LINE", "messenger": "Messenger", "webchat": "web chat", "phone": "SMS"}


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A file that came with a message: its bytes, or why there are none."""

    filename: str
    content_type: str
    size: int
    content: bytes | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One customer message, provider-neutral.

    Attributes:
        sender: the sender's id on the channel (LINE userId, PSID, chat visitor id), or
            for SMS their number in E.164.
        display_name: the sender's name as the provider tells it ("" when unknown).
        text: what they wrote; stickers and locations already as readable labels.
        sent_at: when the provider says it was sent (None: when received).
    """

    sender: str
    display_name: str
    text: str
    files: tuple[IncomingFile, ...] = ()
    sent_at: datetime | None = None
    subject_hint: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessagingOutcome:
    outcome: str  # new_contact or joined
    contact_id: int
    message_id: uuid.UUID
    customer_id: int
    new_customer: bool


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What the gateway needs to send one messaging reply.

    Attributes:
        recipient: the customer's id on the channel (LINE userId, PSID) or number (E.164).
        last_inbound_at: when the customer last wrote on the contact (Messenger's window).
        reply_token: LINE's token of the customer's newest message, when no reply has used
            it yet ("" otherwise); ``reply_token_at`` is when it came.
    """

    job_id: int
    contact_id: int
    message_id: uuid.UUID
    kind: ChannelKind
    account_name: str
    secret_ref: str | None
    settings: dict[str, str]
    recipient: str
    body: str
    last_inbound_at: datetime | None
    reply_token: str
    reply_token_at: datetime | None


class MessagingService:
    """Messaging intake and identities (see the module docstring)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def take_in(self, account_id: int, incoming: IncomingMessage) -> MessagingOutcome:
        """Stores one customer message on its contact (see the module docstring).

        Raises:
            NotFound: there is no such account.
            ValidationError: the account is e-mail or CTI, or the sender is empty.
        """
        sender = incoming.sender.strip()[:200]
        if not sender:
            raise ValidationError("A message needs its sender's id.")
        now = self._clock.now()
        with self._db.write() as s:
            account = s.get(ChannelAccount, account_id)
            if account is None:
                raise NotFound(f"There is no channel account {account_id}.")
            kind = ChannelKind(account.kind)
            if kind not in CHANNEL_OF:
                raise ValidationError(f"A {kind.value} account takes no messages.")
            customer_id, new_customer = self._customer(s, kind, sender, incoming.display_name, now)
            channel = CHANNEL_OF[kind]
            contact = s.execute(
                select(Contact).where(Contact.channel == channel,
                                      Contact.queue_id == account.queue_id,
                                      Contact.customer_id == customer_id,
                                      Contact.external_ref == sender,
                                      Contact.status.in_(ACTIVE_STATUSES))
                .order_by(Contact.id.desc()).limit(1)).scalar()
            outcome = "joined"
            if contact is None:
                contact = self._new_contact(s, account, channel, customer_id, sender,
                                            incoming, now)
                outcome = "new_contact"
            else:
                if contact.status == ContactStatus.PENDING:
                    sla_engine.on_status_change(s, contact, ContactStatus.OPEN, now)
                    contact.status = ContactStatus.OPEN
                contact.preview = _preview(incoming.text)
                contact.updated_at = now
                contact.version += 1
                changes.record(s, "contact", contact.id)
            # A burst of messages in one instant (one webhook) keeps the order it came in.
            newest = s.execute(select(func.max(Message.created_at)).where(
                Message.contact_id == contact.id)).scalar()
            at = now if newest is None or newest < now else newest + timedelta(microseconds=1)
            message = Message(id=uuid.uuid4(), contact_id=contact.id, kind=MessageKind.INBOUND,
                              body=incoming.text.strip() or "(no text)", created_at=at)
            s.add(message)
            s.flush()
            for item in incoming.files:
                s.add(MessageAttachment(
                    message_id=message.id, filename=item.filename[:255],
                    content_type=item.content_type[:127], size=item.size, content=item.content,
                    inline=False, content_id="", note=item.note and item.note[:300]))
            changes.record(s, "message", message.id, "insert")
            return MessagingOutcome(outcome, contact.id, message.id, customer_id, new_customer)

    def knows(self, kind: str, value: str) -> bool:
        """Whether the sender ``value`` is already an identity of a customer (``kind``: line...)."""
        with self._db.read() as s:
            if kind == "phone":
                return s.execute(select(CustomerPhone.id).where(
                    CustomerPhone.e164 == value).limit(1)).first() is not None
            return s.execute(select(CustomerIdentity.id).where(
                CustomerIdentity.kind == kind, CustomerIdentity.value == value)).first() is not None

    def outgoing(self, job_id: int) -> OutgoingMessage:
        """The particulars of messaging delivery job ``job_id`` (see ``OutgoingMessage``).

        Raises:
            NotFound: no such job, or its account was removed.
        """
        with self._db.read() as s:
            job, account, message, contact = deliveries.job_parts(s, job_id)
            last_inbound = s.execute(select(func.max(Message.created_at)).where(
                Message.contact_id == contact.id, Message.kind == MessageKind.INBOUND)).scalar()
            token, token_at = "", None
            if ChannelKind(account.kind) == ChannelKind.LINE:
                token, token_at = _unused_reply_token(s, contact.id)
            return OutgoingMessage(
                job_id=job.id, contact_id=contact.id, message_id=message.id,
                kind=ChannelKind(account.kind), account_name=account.name,
                secret_ref=account.secret_ref,
                settings={k: str(v) for k, v in account.settings.items()},
                recipient=contact.external_ref or "", body=message.body,
                last_inbound_at=last_inbound, reply_token=token, reply_token_at=token_at)

    def identity(self, contact_id: int) -> SenderIdentity | None:
        """Who wrote on contact ``contact_id``: None unless it came from a messaging channel.

        A phone number (SMS) is given masked: the header names the sender, the
        customer record holds the number.

        Raises:
            NotFound: no such contact.
        """
        with self._db.read() as s:
            contact = s.get(Contact, contact_id)
            if contact is None:
                raise NotFound(f"There is no contact {contact_id}.")
            kind = _IDENTITY_OF_CHANNEL.get(Channel(contact.channel))
            if kind is None or not contact.external_ref or contact.customer_id is None:
                return None
            found = self._find_identity(s, contact, kind)
            if found is None:
                return None
            own = not _holds_more(s, found, contact)
            if isinstance(found, CustomerPhone):
                return SenderIdentity("phone", phone_hint(found.e164), "", found.customer_id, own)
            return SenderIdentity(found.kind, found.value, found.display_name, found.customer_id,
                                  own)

    def link_identity(self, contact_id: int, customer_id: int) -> Written[int]:
        """Makes the sender of messaging contact ``contact_id`` an identity of ``customer_id``.

        The identity and the open contacts of its former customer on that channel
        move to ``customer_id``; history then shows them with the customer's other
        channels. Returns the former customer's id, with the contacts and the two
        customers changed.

        Raises:
            NotFound: no such contact or customer, or the sender is no longer an
                identity of the contact's customer.
            ValidationError: the contact is not from a messaging channel.
        """
        now = self._clock.now()
        with self._db.write() as s:
            contact, identity = self._identity_of(s, contact_id)
            if s.get(Customer, customer_id) is None:
                raise NotFound(f"There is no customer {customer_id}.")
            former = contact.customer_id or 0
            if former != customer_id:
                self._move(s, identity, contact, customer_id, now)
            return Written(former, changes.collector(s))

    def unlink_identity(self, contact_id: int) -> Written[int]:
        """Splits the sender of ``contact_id`` off to a customer record of its own.

        Returns the new customer's id, with the contacts and the two customers changed.

        Raises:
            NotFound: no such contact, or its sender is no longer an identity of its customer.
            ValidationError: not a messaging contact, or its customer record already holds
                nothing but this sender (``SenderIdentity.own_record``).
        """
        now = self._clock.now()
        with self._db.write() as s:
            contact, identity = self._identity_of(s, contact_id)
            if not _holds_more(s, identity, contact):
                raise ValidationError(f"The sender of contact {contact_id} already has a "
                                      "customer record of their own: there is nothing to unlink.")
            name = (identity.display_name if isinstance(identity, CustomerIdentity)
                    else identity.e164)
            customer = _new_customer(s, name, now)
            self._move(s, identity, contact, customer.id, now)
            return Written(customer.id, changes.collector(s))

    # -- helpers -----------------------------------------------------------------------
    def _customer(self, s: Session, kind: ChannelKind, sender: str, display_name: str,
                  now: datetime) -> tuple[int, bool]:
        identity_kind = IDENTITY_OF[kind]
        if identity_kind == "phone":
            found = s.execute(select(CustomerPhone.customer_id).where(
                CustomerPhone.e164 == sender).order_by(CustomerPhone.customer_id).limit(1)).scalar()
        else:
            found = s.execute(select(CustomerIdentity.customer_id).where(
                CustomerIdentity.kind == identity_kind,
                CustomerIdentity.value == sender)).scalar()
        if found is not None:
            return found, False
        customer = _new_customer(s, display_name or sender, now)
        if identity_kind == "phone":
            s.add(CustomerPhone(customer_id=customer.id, e164=sender[:20], kind="mobile"))
        else:
            s.add(CustomerIdentity(customer_id=customer.id, kind=identity_kind, value=sender,
                                   display_name=display_name[:200], created_at=now))
        s.flush()
        return customer.id, True

    def _new_contact(self, s: Session, account: ChannelAccount, channel: Channel,
                     customer_id: int, sender: str, incoming: IncomingMessage,
                     now: datetime) -> Contact:
        label = _LABEL.get(IDENTITY_OF[ChannelKind(account.kind)], channel.value)
        first_line = next((line.strip() for line in incoming.text.splitlines() if line.strip()),
                          "")
        subject = incoming.subject_hint or first_line[:80] or f"{label} message"
        contact = Contact(
            channel=channel, queue_id=account.queue_id, customer_id=customer_id,
            subject=" ".join(subject.split())[:MAX_SUBJECT], preview=_preview(incoming.text),
            status=ContactStatus.NEW, priority=int(Priority.NORMAL), created_at=now,
            updated_at=now, version=1, sla_paused_s=0, external_ref=sender)
        sla_engine.stamp(s, contact)
        s.add(contact)
        s.flush()
        s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.CREATED, created_at=now,
                           detail=f"via {label} ({account.name})"))
        changes.record(s, "contact", contact.id, "insert")
        return contact

    def _identity_of(self, s: Session,
                     contact_id: int) -> tuple[Contact, CustomerIdentity | CustomerPhone]:
        contact = s.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"There is no contact {contact_id}.")
        identity_kind = _IDENTITY_OF_CHANNEL.get(Channel(contact.channel))
        if identity_kind is None or not contact.external_ref:
            raise ValidationError(f"Contact {contact_id} is not from a messaging channel: its "
                                  "customer is changed on the customer record instead.")
        identity = self._find_identity(s, contact, identity_kind)
        if identity is None:
            raise NotFound(f"The sender of contact {contact_id} is no longer an identity of "
                           "its customer.")
        return contact, identity

    @staticmethod
    def _find_identity(s: Session, contact: Contact,
                       identity_kind: str) -> CustomerIdentity | CustomerPhone | None:
        if identity_kind == "phone":
            return s.execute(select(CustomerPhone).where(
                CustomerPhone.e164 == contact.external_ref,
                CustomerPhone.customer_id == contact.customer_id)).scalar()
        return s.execute(select(CustomerIdentity).where(
            CustomerIdentity.kind == identity_kind,
            CustomerIdentity.value == contact.external_ref)).scalar()

    def _move(self, s: Session, identity: CustomerIdentity | CustomerPhone, contact: Contact,
              customer_id: int, now: datetime) -> None:
        former = contact.customer_id
        identity.customer_id = customer_id
        moved = s.execute(update(Contact).where(
            Contact.channel == contact.channel, Contact.customer_id == former,
            Contact.external_ref == contact.external_ref,
            Contact.status.in_(ACTIVE_STATUSES) | (Contact.id == contact.id))
            .values(customer_id=customer_id, updated_at=now, version=Contact.version + 1)
            .returning(Contact.id).execution_options(synchronize_session=False)).scalars().all()
        for contact_id in moved:
            changes.record(s, "contact", contact_id)
        for customer in {former, customer_id} - {None}:
            changes.record(s, "customer", customer)


def _holds_more(s: Session, identity: CustomerIdentity | CustomerPhone, contact: Contact) -> bool:
    """Whether the sender's customer record holds anything but the sender and their contacts."""
    customer = identity.customer_id
    other_identity = (CustomerIdentity.customer_id == customer) & (
        CustomerIdentity.id != identity.id if isinstance(identity, CustomerIdentity) else true())
    other_phone = (CustomerPhone.customer_id == customer) & (
        CustomerPhone.id != identity.id if isinstance(identity, CustomerPhone) else true())
    other_contact = (Contact.customer_id == customer) & ~(
        (Contact.channel == contact.channel) & (Contact.external_ref == contact.external_ref))
    found = s.execute(select(or_(
        exists().where(other_identity), exists().where(other_phone),
        exists().where(CustomerEmail.customer_id == customer),
        exists().where(Account.customer_id == customer),
        exists().where(other_contact)))).scalar()
    return bool(found)


def _unused_reply_token(s: Session, contact_id: int) -> tuple[str, datetime | None]:
    """The reply token of the contact's newest LINE event, unless a reply has used it."""
    event = s.execute(select(ChannelEvent).where(
        ChannelEvent.contact_id == contact_id, ChannelEvent.state == "done",
        ChannelEvent.kind == "message").order_by(ChannelEvent.received_at.desc(),
                                                  ChannelEvent.id.desc()).limit(1)).scalar()
    if event is None:
        return "", None
    try:
        token = str(json.loads(event.body)["events"][0].get("replyToken") or "")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return "", None
    used = s.execute(select(DeliveryJobRow.id).join(Message, Message.id == DeliveryJobRow.message_id)
                     .where(Message.contact_id == contact_id, DeliveryJobRow.method == "reply",
                            DeliveryJobRow.updated_at >= event.received_at).limit(1)).first()
    return ("", None) if used or not token else (token, event.received_at)


def _new_customer(s: Session, display: str, now: datetime) -> Customer:
    words = display.replace("\u3000", " ").split()
    japanese = any("\u3040" <= ch <= "\u9fff" for ch in display)
    if japanese and words:
        family, given = words[0][:80], " ".join(words[1:])[:80]
        kanji: tuple[str | None, str | None] = (given[:40] or None, family[:40])
    elif len(words) > 1:
        family, given, kanji = words[-1][:80], " ".join(words[:-1])[:80], (None, None)
    else:
        family, given, kanji = (display.strip() or "(unknown)")[:80], "", (None, None)
    customer = Customer(
        given_name=given, family_name=family, given_name_kanji=kanji[0],
        family_name_kanji=kanji[1], language="ja" if japanese else "en", segment="retail",
        vip=False, created_at=now, updated_at=now, version=1,
        **name_keys(given, family, kanji[0], kanji[1], None, None))
    s.add(customer)
    s.flush()
    changes.record(s, "customer", customer.id, "insert")
    return customer


def _preview(text: str) -> str:
    return " ".join(text.split())[:200]
