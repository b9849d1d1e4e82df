"""Small, explicit test data: a few queues, agents, customers and contacts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from console.app import Services, build_services
from console.clock import ManualClock
from console.config import Settings
from console.domain import Channel, ContactRow, Priority, Role
from console.services.customers import NewCustomer
from console.store.db import Database

if TYPE_CHECKING:
    import pytest


@dataclass
class World:
    """A tiny contact centre: two queues, three agents, two customers, three contacts."""

    services: Services
    alice: int
    yamada: int
    contacts: list[ContactRow]


def services_for(db: Database, clock: ManualClock) -> Services:
    return build_services(db, clock, Settings(timezone="Asia/Tokyo"))


def small_world(db: Database, clock: ManualClock) -> World:
    sv = services_for(db, clock)
    sv.admin.create_queue("Cards", description="Lost and stolen cards", first_response_target_s=600)
    sv.admin.create_queue("Loans", language="ja", first_response_target_s=1800)
    sv.admin.create_agent("emma", "Emma Clarke", team="Tokyo A", queues=["Cards", "Loans"])
    sv.admin.create_agent("kenji", "佐藤 健二", team="Tokyo A", queues=["Cards", "Loans"],
                          languages=["ja", "en"])
    sv.admin.create_agent("sara", "Sara Lind", role=Role.SUPERVISOR, team="Tokyo A")
    for code, label in (("solved", "Solved"), ("callback", "Call back later"),
                        ("escalated", "Escalated")):
        sv.admin.add_disposition(code, label)
    alice = sv.customers.create(NewCustomer(
        given_name="Alice", family_name="Smith", phones=("+1 415 555 2671",),
        emails=("Alice.Smith@example.com",)))
    yamada = sv.customers.create(NewCustomer(
        given_name="Taro", family_name="Yamada", given_name_kanji="太郎",
        family_name_kanji="山田", given_name_kana="タロウ", family_name_kana="ヤマダ",
        language="ja", phones=("090-1234-5678",), emails=("taro@example.jp",)))
    contacts = [
        sv.intake.create_contact(Channel.PHONE, "Cards", "Lost card", "I lost my card in Shibuya",
                                 customer_id=alice.id, priority=Priority.URGENT),
    ]
    clock.advance(60)
    contacts.append(sv.intake.create_contact(Channel.EMAIL, "Loans", "住宅ローンの相談",
                                             "金利について教えてください", customer_id=yamada.id))
    clock.advance(60)
    contacts.append(sv.intake.create_contact(Channel.CHAT, "Cards", "Card limit",
                                             "Can I raise my limit?", customer_id=alice.id))
    return World(sv, alice.id, yamada.id, contacts)


CLI_PASSWORD = "counter password 1"
# Where the test e-mail account says it connects; nothing connects during these tests.
MAIL_IMAP, MAIL_SMTP = "imap://loans@127.0.0.1:1143/INBOX", "smtp://127.0.0.1:1025"


def add_loans_mailbox(services: Services) -> None:
    """An e-mail account on Loans: replies on the world's e-mail contact get a delivery job."""
    services.channels.add_email("loans-mail", address="loans@bank.example.jp",
                                imap_url=MAIL_IMAP, smtp_url=MAIL_SMTP, queue="Loans",
                                password="pw")


def add_attachment(db: Database, message_id: str, filename: str, content_type: str, *,
                   content: bytes | None, size: int | None = None, note: str | None = None,
                   inline: bool = False) -> int:
    """Stores an attachment of a message as the gateway will (nothing writes them yet); its id."""
    import uuid

    from console.store.models_channels import MessageAttachment

    with db.write() as s:
        row = MessageAttachment(message_id=uuid.UUID(message_id), filename=filename,
                                content_type=content_type,
                                size=len(content or b"") if size is None else size,
                                content=content, inline=inline, content_id="", note=note)
        s.add(row)
        s.flush()
        return row.id


def run_cli(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> tuple[int, str, str]:
    """Runs ``switchboard --db db_url ARGS`` in this process: (exit code, stdout, stderr)."""
    from console.cli.main import main

    code = main(["--db", db_url, *args])
    out, err = capsys.readouterr()
    return code, out, err



LINE_USER = "U4af4980629f1e2d3c4b5a69788776655"


def add_messaging_account(services: Services, kind: str = "line", name: str = "line-oa",
                          queue: str = "Loans") -> int:
    """A LINE (or Twilio, Messenger) account feeding ``queue``, secrets in the test keyring; its id."""
    from console.channels.messaging_accounts import REQUIRED
    from console.domain.channel_accounts import ChannelKind

    channel = ChannelKind(kind)
    secrets = {key: f"test-{key}" for key in REQUIRED[channel]}
    if "from" in secrets:
        secrets["from"] = "+815012345678"
    return services.channels.add_messaging(channel, name, queue=queue,
                                           secret_values=secrets).value.id


def message_from(services: Services, account_id: int, sender: str = LINE_USER,
                 display_name: str = "山田 花子", text: str = "残高を教えてください") -> int:
    """A customer message taken in as the gateway takes it in; the id of its contact."""
    from console.services.messaging import IncomingMessage

    return services.messaging.take_in(account_id, IncomingMessage(sender, display_name,
                                                                  text)).contact_id
