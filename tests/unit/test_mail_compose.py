"""Composing the e-mail of an agent's reply (issue 11, "E-mail out"): headers, threading, charsets."""

from __future__ import annotations

import email
import email.policy
import logging
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage, Message
from typing import Any

import pytest

from console.channels.mail import parse_message
from console.channels.mail.compose import (
    MAX_REFERENCES,
    compose_reply,
    reply_subject,
    thread_references,
)
from console.channels.mail.smtp import render
from console.domain.channels import InboundMail
from console.errors import ValidationError

JST = timezone(timedelta(hours=9))
WHEN = datetime(2024, 12, 4, 10, 30, 5, tzinfo=JST)
OUR_ID = "<0f3a9c@switchboard.example.jp>"
# Outlook's ids are longer than a header line: the stdlib would turn one into an encoded word.
OUTLOOK_ID = ("<TYCPR01MB11223344556677889900AABBCCDDEEFF@TYCPR01MB1122.jpnprd01.prod."
              "outlook.com>")
SUBJECT = "ご注文の件について"
BODY = "山田様\n\nお問い合わせありがとうございます。\n配送は明日になります。\n"


def reply(**overrides: Any) -> EmailMessage:
    arguments: dict[str, Any] = {
        "from_address": "support@example.jp", "from_name": "サポート窓口",
        "to_address": "taro@example.jp", "to_name": "山田 太郎", "subject": SUBJECT, "body": BODY,
        "message_id": OUR_ID, "in_reply_to": "<q2@example.jp>",
        "references": ["<q1@example.jp>"], "date": WHEN,
    } | overrides
    return compose_reply(**arguments)


def wire(msg: EmailMessage) -> bytes:
    return render(msg)


def received(msg: EmailMessage) -> Message:
    """The message as a receiving program reads the bytes (compat32: headers as written)."""
    return email.message_from_bytes(wire(msg), policy=email.policy.compat32)


def read_back(msg: EmailMessage) -> InboundMail:
    return parse_message(wire(msg))


def header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


# -- headers -------------------------------------------------------------------------------------

def test_every_header_of_a_reply() -> None:
    got = received(reply())
    assert got["Date"] == "Wed, 04 Dec 2024 10:30:05 +0900"
    assert got["Message-ID"] == OUR_ID
    assert got["In-Reply-To"] == "<q2@example.jp>"
    assert got["References"] == "<q1@example.jp> <q2@example.jp>"
    assert got["MIME-Version"] == "1.0"
    assert got.get_content_type() == "text/plain" and got.get_content_charset() == "utf-8"
    assert "Auto-Submitted" not in got  # a person wrote it: the customer's auto-replies may answer
    mail = read_back(reply())
    assert (mail.from_address, mail.from_name) == ("support@example.jp", "サポート窓口")
    assert [(a.address, a.name) for a in mail.to] == [("taro@example.jp", "山田 太郎")]
    assert mail.subject == "Re: ご注文の件について"
    assert mail.date == WHEN
    names = [line.split(b":", 1)[0].lower() for line in header_lines(wire(reply()))
             if not line.startswith(b" ")]
    assert len(names) == len(set(names))  # each header once


def test_the_date_keeps_its_zone_and_must_have_one() -> None:
    assert received(reply(date=datetime(2024, 12, 4, 1, 30, tzinfo=UTC)))["Date"] == (
        "Wed, 04 Dec 2024 01:30:00 +0000")
    with pytest.raises(ValueError, match="time zone"):
        reply(date=datetime(2024, 12, 4, 10, 30))  # naive: the point of the test


def test_names_are_optional_and_ascii_names_are_quoted_when_they_must_be() -> None:
    got = received(reply(from_name="", to_name="Yamada, Taro"))
    assert got["From"] == "support@example.jp"
    assert got["To"] == '"Yamada, Taro" <taro@example.jp>'
    assert [(a.address, a.name) for a in read_back(reply(to_name="Yamada, Taro")).to] == [
        ("taro@example.jp", "Yamada, Taro")]


def test_a_japanese_carriers_old_address_is_written_as_it_is() -> None:
    # docomo and au handed out addresses with ".." and a dot before "@" for years; they still receive.
    got = received(reply(to_address="taro..yamada.@docomo.ne.jp"))
    assert got["To"].endswith("<taro..yamada.@docomo.ne.jp>")


@pytest.mark.parametrize("field", ["from_address", "to_address"])
@pytest.mark.parametrize("address", ["", "taro", "a@b@c", "taro@example.jp\r\nBcc: x@evil.example",
                                     "Taro <taro@example.jp>", "taro @example.jp"])
def test_an_address_that_cannot_go_in_a_header_is_refused(field: str, address: str) -> None:
    with pytest.raises(ValidationError, match="is not an e-mail address"):
        reply(**{field: address})


def test_programming_errors_are_not_dressed_as_messages() -> None:
    with pytest.raises(ValueError, match="unknown charset"):
        reply(charset="shift_jis")
    for bad in ("", "no-brackets and space@x", "<a b@c>"):
        with pytest.raises(ValueError, match="is not a Message-ID"):
            reply(message_id=bad)


# -- the subject ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("subject", "expected"), [
    ("Card lost", "Re: Card lost"),
    ("Re: Card lost", "Re: Card lost"),
    ("RE: Card lost", "Re: Card lost"),
    ("re:Card lost", "Re: Card lost"),
    ("Re: RE: re: Card lost", "Re: Card lost"),
    ("Re[2]: Card lost", "Re: Card lost"),
    ("RE(3): Re[12]: Card lost", "Re: Card lost"),
    ("Re : Card lost", "Re: Card lost"),
    ("Aw: Card lost", "Re: Card lost"),
    ("AW: Re: Card lost", "Re: Card lost"),
    ("Sv: SV: Card lost", "Re: Card lost"),
    ("返信: ご注文の件", "Re: ご注文の件"),
    ("返信：ご注文の件", "Re: ご注文の件"),
    ("Ｒｅ: ご注文の件", "Re: ご注文の件"),
    ("ＲＥ：Re: 返信: ご注文の件", "Re: ご注文の件"),
    ("  Re:   Card   lost  ", "Re: Card lost"),
    # Not reply prefixes: a forward, a word that starts with one, a prefix further on.
    ("Fwd: Card lost", "Re: Fwd: Card lost"),
    ("Re: Fwd: Re: Card lost", "Re: Fwd: Re: Card lost"),
    ("Reorder: cards", "Re: Reorder: cards"),
    ("Sverige: cards", "Re: Sverige: cards"),
    ("Card lost (Re: yesterday)", "Re: Card lost (Re: yesterday)"),
    ("ご注文　について", "Re: ご注文　について"),  # an ideographic space is text, not layout
    ("", "Re:"),
])
def test_the_subject_gets_one_reply_prefix(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected
    assert read_back(reply(subject=subject)).subject == expected


@pytest.mark.parametrize(("subject", "expected"), [
    ("ご注文の件", "Re: ご注文の件 [#123]"),
    ("Re: ご注文の件 [#123]", "Re: ご注文の件 [#123]"),
    ("RE: [#123] ご注文の件", "Re: [#123] ご注文の件"),
    ("Re: Re: ご注文の件 [#12]", "Re: ご注文の件 [#12] [#123]"),  # another contact's token is not ours
    ("", "Re: [#123]"),
])
def test_the_contact_token_is_in_the_subject_once(subject: str, expected: str) -> None:
    assert reply_subject(subject, "[#123]") == expected
    for charset in ("utf-8", "iso-2022-jp"):
        assert read_back(reply(subject=subject, token="[#123]", charset=charset)).subject == expected


@pytest.mark.parametrize("separator", ["\r\n", "\n", "\r", "\u2028", "\x85", "\x0b", "\t"])
@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
def test_a_line_break_in_the_subject_cannot_add_a_header(separator: str, charset: str) -> None:
    msg = reply(subject=f"Hello{separator}Bcc: victim@example.com", charset=charset)
    got = received(msg)
    assert got.get_all("Subject") is not None and len(got.get_all("Subject", [])) == 1
    assert got.get_all("Bcc") is None
    assert not any(line.lower().startswith(b"bcc") for line in header_lines(wire(msg)))
    assert read_back(msg).subject == "Re: Hello Bcc: victim@example.com"


@pytest.mark.parametrize("field", ["from_name", "to_name", "token"])
def test_a_line_break_in_a_name_or_token_cannot_add_a_header(field: str) -> None:
    got = received(reply(**{field: "Ada\r\nBcc: victim@example.com"}))
    assert got.get_all("Bcc") is None and len(got.get_all("From", [])) == 1


# -- threading -----------------------------------------------------------------------------------

def test_references_list_the_thread_oldest_first_with_the_message_answered_last() -> None:
    assert thread_references("<q3@x>", ["<q1@x>", "q2@x", "<q3@x>", "<q1@x>"]) == (
        "<q1@x>", "<q2@x>", "<q3@x>")
    assert thread_references(None, ["<q1@x>"]) == ("<q1@x>",)
    assert thread_references(None, []) == ()
    assert thread_references("<q1@x>", [OUR_ID], own_id=OUR_ID) == ("<q1@x>",)


def test_a_long_thread_keeps_its_first_and_last_references() -> None:
    thread = [f"<q{n}@x>" for n in range(1, 31)]
    chain = thread_references("<q31@x>", thread)
    assert len(chain) == MAX_REFERENCES
    assert chain == ("<q1@x>", *(f"<q{n}@x>" for n in range(22, 32)))
    assert received(reply(in_reply_to="<q31@x>", references=thread))["References"].split() == list(
        chain)


@pytest.mark.parametrize("bad", ["", "   ", "<>", "<a b@x>", "a\r\nBcc: victim@example.com",
                                 "<a@x>\r\nBcc: victim@example.com", "<" + "a" * 300 + "@x>",
                                 "<山田@例え.jp>"])
def test_malformed_ids_are_left_out(bad: str) -> None:
    assert thread_references(bad, [bad, "<q1@x>"]) == ("<q1@x>",)
    got = received(reply(in_reply_to=bad, references=[bad, "<q1@x>"]))
    assert got["In-Reply-To"] is None and got["References"] == "<q1@x>"
    assert got.get_all("Bcc") is None


def test_without_a_thread_there_are_no_threading_headers() -> None:
    got = received(reply(in_reply_to=None, references=[]))
    assert got["In-Reply-To"] is None and got["References"] is None


def test_an_id_longer_than_a_line_travels_verbatim() -> None:
    raw = wire(reply(in_reply_to=OUTLOOK_ID, references=["<q1@example.jp>", OUTLOOK_ID]))
    assert f"In-Reply-To: {OUTLOOK_ID}\r\n".encode() in raw
    assert b"=?" not in b"".join(line for line in header_lines(raw)
                                 if line.startswith((b"In-Reply-To", b"References", b" <")))
    mail = parse_message(raw)
    assert (mail.in_reply_to, mail.references) == (OUTLOOK_ID.strip("<>"),
                                                   ("q1@example.jp", OUTLOOK_ID.strip("<>")))
    assert mail.message_id == OUR_ID.strip("<>")


def test_many_references_fold_into_short_lines() -> None:
    thread = [f"<{n:032x}@switchboard.example.jp>" for n in range(10)]
    raw = wire(reply(in_reply_to=thread[-1], references=thread))
    assert all(len(line) <= 78 for line in header_lines(raw))
    assert parse_message(raw).references == tuple(i.strip("<>") for i in thread)


# -- charsets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
def test_japanese_text_survives_in_either_charset(charset: str) -> None:
    msg = reply(charset=charset, subject="返信: " + SUBJECT, signature="株式会社サンプル\nサポート窓口",
                token="[#123]")
    raw = wire(msg)
    assert raw.isascii()  # no raw 8-bit bytes: any server can carry it
    got = received(msg)
    assert got.get_content_charset() == charset
    mail = parse_message(raw)
    assert mail.subject == "Re: ご注文の件について [#123]"
    assert mail.from_name == "サポート窓口" and mail.to[0].name == "山田 太郎"
    assert mail.text == BODY.rstrip("\n") + "\n\n-- \n株式会社サンプル\nサポート窓口"
    assert mail.problems == ()


def test_iso_2022_jp_is_sent_as_7bit_jis_with_b_encoded_headers() -> None:
    raw = wire(reply(charset="iso-2022-jp"))
    got = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert got["Content-Transfer-Encoding"] == "7bit"
    assert got["Subject"].startswith("=?iso-2022-jp?b?")
    assert got["From"].startswith("=?iso-2022-jp?b?") and got["From"].endswith(
        " <support@example.jp>")
    assert "配送は明日になります。".encode("iso-2022-jp") in raw
    assert "\r\n".join(BODY.splitlines()).encode("iso-2022-jp") in raw  # CRLF line ends


def test_utf_8_is_sent_as_the_stdlib_encodes_it() -> None:
    got = received(reply())
    assert got["Content-Transfer-Encoding"] in {"base64", "quoted-printable"}
    assert "=?utf-8?" in got["Subject"].lower()
    payload = got.get_payload(decode=True)
    assert isinstance(payload, bytes) and payload.decode("utf-8") == BODY.replace("\n", "\r\n")


@pytest.mark.parametrize(("field", "value"), [
    ("subject", "ご注文①の件"),
    ("body", "数量は①〜③です。\n"),
    ("from_name", "髙島屋サポート"),
    ("to_name", "髙﨑 花子"),
    ("signature", "第Ⅲ営業部"),
    ("body", "ありがとうございます😀\n"),
    ("body", "ﾊﾝｶｸ\n"),
    ("body", "10時～12時\n"),  # the full-width tilde Windows types: JIS has only the wave dash
])
def test_text_iso_2022_jp_cannot_hold_goes_out_in_utf_8_unchanged(
        field: str, value: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="console.channels.mail.compose"):
        msg = reply(charset="iso-2022-jp", **{field: value})
    assert received(msg).get_content_charset() == "utf-8"
    assert "UTF-8 instead of ISO-2022-JP" in caplog.text
    mail = read_back(msg)
    found = {"subject": mail.subject, "body": mail.text, "from_name": mail.from_name,
             "to_name": mail.to[0].name, "signature": mail.text}[field]
    assert value.strip("\n") in found
    assert "\ufffd" not in mail.text + mail.subject and "?" not in mail.subject


def test_text_iso_2022_jp_holds_stays_in_iso_2022_jp_without_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="console.channels.mail.compose"):
        msg = reply(charset="iso-2022-jp", body="10時〜12時、￥1,000です。\n")
    assert received(msg).get_content_charset() == "iso-2022-jp" and caplog.text == ""


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
def test_a_long_japanese_subject_and_name_fold_and_decode_back_exactly(charset: str) -> None:
    subject = "【重要】" + "ご注文いただいた商品の配送日程の変更について、" * 8 + "（ご確認ください）"
    name = "株式会社サンプル・カスタマーサポートセンター東日本第二窓口"
    raw = wire(reply(charset=charset, subject=subject, from_name=name))
    assert all(len(line) <= 78 for line in header_lines(raw))  # well inside the 998 octets
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    mail = parse_message(raw)
    assert mail.subject == "Re: " + subject and mail.from_name == name


def test_a_line_too_long_for_7bit_jis_goes_as_base64() -> None:
    body = "長い行です。" * 120 + "\n"  # 720 characters: over 998 octets in ISO-2022-JP
    got = received(reply(charset="iso-2022-jp", body=body))
    assert (got.get_content_charset(), got["Content-Transfer-Encoding"]) == ("iso-2022-jp", "base64")
    assert read_back(reply(charset="iso-2022-jp", body=body)).text == body.rstrip("\n")


# -- the body ------------------------------------------------------------------------------------

def test_the_signature_goes_under_a_sig_dash_line_once() -> None:
    # (the parser drops the text's last line break)
    assert read_back(reply(body="Thanks.", signature="Cards team")).text == (
        "Thanks.\n\n-- \nCards team")
    assert read_back(reply(body="Thanks.\n\n", signature="-- \nCards team\n")).text == (
        "Thanks.\n\n-- \nCards team")
    assert read_back(reply(body="Thanks.", signature="")).text == "Thanks."
    raw = wire(reply(body="Thanks.", signature="Cards team", charset="iso-2022-jp"))
    assert b"Thanks.\r\n\r\n-- \r\nCards team\r\n" in raw  # the trailing space survives


def test_line_ends_and_control_characters_in_the_body_are_normalised() -> None:
    text = read_back(reply(body="one\r\ntwo\rthree\nfour\x00\x1b(B\tfive", charset="iso-2022-jp")).text
    assert text == "one\ntwo\nthree\nfour(B\tfive"
