"""A composed reply through the real SMTP server into the customer's mailbox, read back as they would."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from console.channels.mail import parse_message
from console.channels.mail.compose import compose_reply
from console.channels.mail.smtp import SmtpRelay, render
from tests.mailservers import Dovecot, SmtpServer

pytestmark = pytest.mark.mail

# Outlook's ids are longer than a header line: the stdlib alone would encode them.
CUSTOMERS_ID = "TYCPR01MB11223344556677889900AABBCCDDEEFF@TYCPR01MB1122.jpnprd01.prod.outlook.com"


@pytest.mark.parametrize("charset", ["iso-2022-jp", "utf-8"])
def test_a_composed_reply_arrives_threaded_with_its_japanese_text(
        charset: str, smtp_server: SmtpServer, dovecot: Dovecot) -> None:
    our_id = f"<{charset.replace('-', '')}0f3a9c@switchboard.example.jp>"
    reply = compose_reply(
        from_address="support@example.jp", from_name="サポート窓口",
        to_address="customer@example.jp", to_name="山田 太郎",
        subject="RE: 返信: ご注文の件について", body="山田様\n\n配送は明日になります。\n",
        message_id=our_id, in_reply_to=f"<{CUSTOMERS_ID}>", references=["<q1@example.jp>"],
        date=datetime(2024, 12, 4, 10, 30, tzinfo=timezone(timedelta(hours=9))),
        charset=charset, signature="株式会社サンプル", token="[#123]")

    receipt = SmtpRelay(f"smtp://127.0.0.1:{smtp_server.port}", timeout_s=5).send(reply)

    assert receipt.code == 250
    [raw] = dovecot.read_all("customer")
    [envelope] = smtp_server.handler.received
    assert envelope.original_content == render(reply)  # nothing on the way changed a byte
    assert envelope.mail_from == "support@example.jp"
    mail = parse_message(raw)
    assert mail.subject == "Re: ご注文の件について [#123]"
    assert mail.text == "山田様\n\n配送は明日になります。\n\n-- \n株式会社サンプル"
    assert (mail.from_address, mail.from_name) == ("support@example.jp", "サポート窓口")
    assert mail.message_id == our_id.strip("<>")
    assert mail.in_reply_to == CUSTOMERS_ID
    assert mail.references == ("q1@example.jp", CUSTOMERS_ID)
    assert f'charset="{charset}"'.encode() in raw
