"""The web chat as its visitor sees it: what they write, and their conversation (issue 12).

A visitor is a customer identity of kind ``webchat`` whose value, the visitor
id, is a digest of the secret token their page keeps (console.channels.webchat):
the token itself is never stored. Their messages are taken in like any other
messaging channel's (console.services.messaging), so each chat is a contact in
the inbox; agents answer with ordinary replies, which the page reads here.

The conversation holds the customer's messages and the agents' replies of
every chat contact of the visitor, never internal notes. It is read after a
cursor, a sequence number of the change log: the messages whose insertion was
logged after it, in commit order, so a reply written on a workstation whose
clock is behind is not skipped. A cursor of 0 (a page just loaded) or one
far behind reads the whole conversation again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import Channel, MessageKind
from console.domain.channel_accounts import ChannelKind
from console.errors import NotFound, ValidationError
from console.services.messaging import IncomingMessage, MessagingService
from console.store import changes
from console.store.db import Database
from console.store.models import ChangeLogEntry, Contact, Message
from console.store.models_channels import ChannelAccount, CustomerIdentity

MAX_TEXT = 2000  # characters of one visitor message
MAX_NAME = 80
MAX_LINES = 300  # the newest lines a page is shown of a long conversation
# A cursor further behind the log than this reads the whole conversation again: cheaper
# than scanning that much of the change log for a few messages.
FULL_READ_AFTER = 100_000
IDENTITY = "webchat"


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One message of the conversation, as the visitor's page shows it.

    Attributes:
        from_agent: an agent's reply (else the visitor wrote it).
        seq: the change-log sequence number of its insertion, when the read looked it up.
    """

    id: uuid.UUID
    contact_id: int
    from_agent: bool
    text: str
    at: datetime
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class ChatView:
    """What changed in a conversation after a cursor.

    Attributes:
        cursor: read after this next time.
        reset: ``lines`` is the whole conversation (its newest lines), not what is new.
        lines: the messages, oldest first.
        contact_ids: the visitor's chat contacts (what the page waits on).
    """

    cursor: int
    reset: bool
    lines: tuple[ChatLine, ...]
    contact_ids: tuple[int, ...]


class WebchatService:
    """The visitor's side of the web chat (see the module docstring)."""

    def __init__(self, db: Database, clock: Clock, messaging: MessagingService) -> None:
        self._db = db
        self._clock = clock
        self._messaging = messaging

    def start(self, account_id: int, visitor_id: str, name: str, text: str) -> ChatLine:
        """Opens a conversation: the visitor's first message becomes a new chat contact.

        Raises:
            ValidationError: no name, an empty or too long message, an id already in use,
                or the account is not a web chat.
            NotFound: no such account.
        """
        display = _clean_name(name)
        with self._db.write() as s:
            self._webchat_account(s, account_id)
            if _known(s, visitor_id):
                raise ValidationError("That visitor id is taken; start again.")
            return self._say(s, account_id, visitor_id, display, text)

    def send(self, account_id: int, visitor_id: str, text: str) -> ChatLine:
        """Adds a message of a known visitor to their open chat (a new one if it was resolved).

        Raises:
            NotFound: no such visitor or account.
            ValidationError: an empty or too long message, or the account is not a web chat.
        """
        with self._db.write() as s:
            self._webchat_account(s, account_id)
            if not _known(s, visitor_id):
                raise NotFound("There is no such chat visitor.")
            return self._say(s, account_id, visitor_id, "", text)

    def conversation(self, visitor_id: str, *, after: int = 0,
                     seqs_after: int | None = None) -> ChatView:
        """The visitor's messages logged after ``after`` (all of them for 0).

        Args:
            visitor_id: whose conversation.
            after: the cursor the page holds.
            seqs_after: also look up the sequence number of every message logged after
                this one, even in a whole-conversation read (the typing indicator asks
                whether a reply came after the agent typed).

        Raises:
            NotFound: the visitor has no conversation.
        """
        with self._db.read() as s:
            current = changes.last_seq(s)
            contact_ids = tuple(s.execute(select(Contact.id).where(
                Contact.channel == Channel.CHAT, Contact.external_ref == visitor_id)
                .order_by(Contact.id)).scalars())
            if not contact_ids:
                raise NotFound("There is no such chat visitor.")
            rows = list(s.execute(
                select(Message.id, Message.contact_id, Message.kind, Message.body,
                       Message.created_at)
                .where(Message.contact_id.in_(contact_ids),
                       Message.kind.in_((MessageKind.INBOUND, MessageKind.OUTBOUND)))
                .order_by(Message.created_at.desc(), Message.id.desc()).limit(MAX_LINES)))
            rows.reverse()
            reset = after <= 0 or after > current or current - after > FULL_READ_AFTER
            floors = [f for f in (None if reset else after, seqs_after) if f is not None]
            seqs = _insert_seqs(s, [r.id for r in rows], min(floors), current) if floors else {}
            lines = [ChatLine(r.id, r.contact_id, r.kind == MessageKind.OUTBOUND, r.body,
                              r.created_at, seqs.get(str(r.id))) for r in rows]
            if not reset:
                lines = sorted((x for x in lines if (x.seq or 0) > after),
                               key=lambda x: x.seq or 0)
            return ChatView(current, reset, tuple(lines), contact_ids)

    # -- helpers -----------------------------------------------------------------------
    def _say(self, s: Session, account_id: int, visitor_id: str, name: str,
             text: str) -> ChatLine:
        body = _clean_text(text)
        outcome = self._messaging.take_in(account_id, IncomingMessage(
            sender=visitor_id, display_name=name, text=body))
        message = s.get_one(Message, outcome.message_id)
        return ChatLine(message.id, message.contact_id, False, message.body, message.created_at)

    def _webchat_account(self, s: Session, account_id: int) -> None:
        account = s.get(ChannelAccount, account_id)
        if account is None:
            raise NotFound(f"There is no channel account {account_id}.")
        if ChannelKind(account.kind) != ChannelKind.WEBCHAT:
            raise ValidationError(f"'{account.name}' is not a web chat.")


def _known(s: Session, visitor_id: str) -> bool:
    return s.execute(select(CustomerIdentity.id).where(
        CustomerIdentity.kind == IDENTITY, CustomerIdentity.value == visitor_id)).first() is not None


def _insert_seqs(s: Session, ids: list[uuid.UUID], after: int, upto: int) -> dict[str, int]:
    """The change-log sequence numbers of these messages' insertions in ``(after, upto]``."""
    if not ids:
        return {}
    rows = s.execute(select(ChangeLogEntry.entity_id, ChangeLogEntry.seq).where(
        ChangeLogEntry.seq > after, ChangeLogEntry.seq <= upto,
        ChangeLogEntry.entity == "message", ChangeLogEntry.op == "insert",
        ChangeLogEntry.entity_id.in_([str(i) for i in ids])))
    return {str(entity_id): int(seq) for entity_id, seq in rows}


def _clean_name(name: str) -> str:
    display = " ".join(name.split())
    if not display:
        raise ValidationError("Say who you are: a name is needed.")
    if len(display) > MAX_NAME:
        raise ValidationError(f"The name is longer than {MAX_NAME} characters.")
    return display


def _clean_text(text: str) -> str:
    body = "".join(ch for ch in text.replace("\r\n", "\n")
                   if ch in "\n\t" or not (ord(ch) < 32 or ord(ch) == 127)).strip()
    if not body:
        raise ValidationError("The message is empty.")
    if len(body) > MAX_TEXT:
        raise ValidationError(f"The message is {len(body):,} characters; the limit is "
                              f"{MAX_TEXT:,}.")
    return body
