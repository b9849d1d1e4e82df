"""Parsing real-world inbound e-mail (issue 11, "E-mail in"): the corpus, charsets, bad input."""

from __future__ import annotations

import base64
import os
import time
from dataclasses import fields
from pathlib import Path

import pytest

from console.channels.mail import MAX_PARTS, parse_message
from console.channels.mail.charsets import decode_iso2022jp, decode_text, jis_to_sjis
from console.channels.mail.headers import decode_header_value
from console.channels.mail.html_text import html_to_text
from console.domain.channels import InboundMail, MailKind
from console.errors import ValidationError
from tools import mail_corpus

CORPUS = Path(__file__).resolve().parent.parent / "data" / "mail"


def load(name: str) -> InboundMail:
    return parse_message((CORPUS / name).read_bytes())


def text_fields(mail: InboundMail) -> list[str]:
    """Every text a person will see: header fields, names, file names, the body."""
    values = [mail.subject, mail.from_address, mail.from_name, mail.text, mail.message_id,
              mail.in_reply_to, mail.bounce_reason, *mail.references, *mail.problems]
    values += [a.name for a in mail.to + mail.cc] + [a.address for a in mail.to + mail.cc]
    values += [a.filename for a in mail.attachments]
    return values


def assert_clean(mail: InboundMail) -> None:
    for value in text_fields(mail):
        assert "\ufffd" not in value, value
        assert "\x1b" not in value, value  # no raw ISO-2022-JP escapes


def assert_one_line(mail: InboundMail) -> None:
    header_values = [getattr(mail, f.name) for f in fields(mail) if f.name != "text"]
    header_values = [v for v in header_values if isinstance(v, str)]
    header_values += [a.name for a in mail.to + mail.cc] + [a.filename for a in mail.attachments]
    for value in header_values:
        assert "\r" not in value and "\n" not in value, value


# (file, subject, from address, from name, texts the body must contain, kind)
CASES = [
    ("docomo_iso2022jp_ms.eml", "ご注文①の件（Ⅱ期）", "hanako.takasaki@docomo.ne.jp", "髙﨑花子",
     ["髙﨑です", "①商品の到着日", "②請求書の宛名", "Ⅱ期分"], MailKind.CUSTOMER),
    ("sjis_labelled_cp932.eml", "【至急】見積もり\uff5e再送", "ichiro@ezweb.ne.jp", "鈴木一郎",
     ["№１２３", "数量①\uff5e③", "髙島屋様"], MailKind.CUSTOMER),
    ("eucjp.eml", "請求書について", "yamada@example.co.jp", "",
     ["先月分の請求書が届いておりません"], MailKind.CUSTOMER),
    ("no_charset_cp932.eml", "口座振替の申込書を送付しました", "uketsuke@old-system.example.jp", "受付係",
     ["申込書を本日郵送いたしました"], MailKind.CUSTOMER),
    ("wrong_charset_utf8_is_jis.eml", "住所変更", "kimura@softbank.ne.jp", "",
     ["配送先を変更したいです。①番の住所へ"], MailKind.CUSTOMER),
    ("latin1_label_on_utf8.eml", "Pedido nº 55", "jose@example.es", "José",
     ["Buenos días, el envío llegó dañado.", "東京支店"], MailKind.CUSTOMER),
    ("halfwidth_kana.eml", "ｶﾞｽ料金のお支払い", "yamada.taro@i.softbank.jp", "ﾔﾏﾀﾞ ﾀﾛｳ",
     ["ｺﾝﾋﾞﾆ払いはできますか？"], MailKind.CUSTOMER),
    ("rfc2047_split.eml", "返品とポイント払い戻しのお願い", "w@example.jp", "担当者様へ",
     ["返品の手続き"], MailKind.CUSTOMER),
    ("rfc2231_filename.eml", "見積書の送付", "sato@example.co.jp", "",
     ["見積書を添付します。"], MailKind.CUSTOMER),
    ("outlook_alternative_inline.eml", "RE: Duplicate charge on statement", "jane.smith@contoso.example",
     "Smith, Jane", ["My card was charged twice. Please refund one of the two payments."], MailKind.CUSTOMER),
    ("gmail_html_only.eml", "解約について", "ai.nakamura@gmail.example", "中村 愛",
     ["こんにちは、", "解約の方法を教えてください。", "こちら (https://member.example.jp/cancel)"],
     MailKind.CUSTOMER),
    ("iphone_forward.eml", "Fwd: 不在連絡票", "kenji@icloud.example", "Kenji",
     ["この荷物はいつ届きますか？", "---------- Forwarded message ----------",
      "From: 配送センター <noreply@delivery.example.jp>", "Subject: 不在連絡票",
      "お荷物をお届けに参りましたがご不在でした。"], MailKind.CUSTOMER),
    ("out_of_office.eml", "Automatic reply: Your contact 1042", "bob.lee@fabrikam.example", "Bob Lee",
     ["out of the office"], MailKind.AUTO_REPLY),
    ("mailing_list.eml", "[news] December maintenance window", "news@lists.example.org", "Announcements",
     ["Maintenance is planned"], MailKind.LIST),
    ("dsn_bounce.eml", "Undelivered Mail Returned to Sender", "MAILER-DAEMON@mx.switchboard.example",
     "Mail Delivery System", ["could not be delivered"], MailKind.BOUNCE),
    ("malformed_mime.eml", "Broken message", "broken@example.net", "",
     ["Please call me back about my loan."], MailKind.CUSTOMER),
    ("header_injection.eml", "Refund Bcc: victim@example.com Injected", "eve@attacker.example",
     "Eve X-Evil: 1", ["Hello."], MailKind.CUSTOMER),
]


@pytest.mark.parametrize(("name", "subject", "address", "display", "texts", "kind"), CASES,
                         ids=[c[0] for c in CASES])
def test_corpus_message_reads_as_sent(name, subject, address, display, texts, kind):
    mail = load(name)
    assert (mail.subject, mail.from_address, mail.from_name, mail.kind) == (subject, address, display, kind)
    for text in texts:
        assert text in mail.text
    assert_clean(mail)
    assert_one_line(mail)
    assert not mail.undecodable


def test_corpus_files_match_their_generator():
    for name, build in mail_corpus.MESSAGES.items():
        assert (CORPUS / name).read_bytes() == build(), f"{name}: run python -m tools.mail_corpus"
    assert {p.name for p in CORPUS.glob("*.eml")} == set(mail_corpus.MESSAGES)


# --- ISO-2022-JP with Microsoft's extensions -------------------------------------------------


def test_microsoft_extensions_round_trip_through_jis_escapes():
    text = "①②⑳ⅠⅢⅩ髙﨑德 ㈱№ ｱｲｳｴｵ 漢字テスト"
    encoded = mail_corpus.jis(text)
    assert encoded.isascii() and b"\x1b$B\x2d\x21" in encoded  # ① is NEC row 13, JIS 0x2D21
    with pytest.raises(UnicodeDecodeError):
        encoded.decode("iso2022_jp")  # why the fallback exists: the plain codec refuses ①
    assert decode_iso2022jp(encoded) == text
    assert jis_to_sjis(encoded) == text.encode("cp932")


def test_plain_iso2022jp_still_uses_the_standard_codec():
    text = "いつもお世話になっております。"
    assert decode_text(text.encode("iso2022_jp"), "ISO-2022-JP") == text


def test_iso2022jp_escape_it_cannot_map_gives_none_not_garbage():
    assert jis_to_sjis(b"\x1b$(Dab\x1b(B") is None


# --- other charsets --------------------------------------------------------------------------


def test_shift_jis_label_is_read_as_cp932():
    raw = "～①髙".encode("cp932")  # U+FF5E: cp932's tilde, which plain shift_jis lacks
    with pytest.raises(UnicodeDecodeError):
        raw.decode("shift_jis")
    assert decode_text(raw, "Shift_JIS") == "～①髙"


@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "utf-8", "iso2022_jp"])
def test_japanese_without_a_charset_is_detected(codec):
    text = "ご返信ありがとうございます。明日伺います。"
    assert decode_text(text.encode(codec), None) == text


def test_utf8_label_on_shift_jis_bytes_is_detected():
    text = "入金の確認をお願いします"
    assert decode_text(text.encode("cp932"), "utf-8") == text


def test_latin1_stays_latin1_when_it_is_latin1():
    assert decode_text("Café crème, nº 5".encode("latin-1"), "iso-8859-1") == "Café crème, nº 5"


def test_undecodable_part_is_kept_as_bytes_with_a_placeholder():
    mail = load("undecodable.eml")
    assert len(mail.undecodable) == 1
    part = mail.undecodable[0]
    assert part.declared_charset == "x-unknown-8bit"
    assert part.raw == bytes([0x00, 0x81, 0xFF, 0xFE, 0x80, 0x1B, 0x90, 0x00, 0xFF] * 8)
    assert "could not be decoded" in mail.text and "72 bytes" in mail.text
    assert any("could not be decoded" in p for p in mail.problems)
    assert "\ufffd" not in mail.text


# --- headers ---------------------------------------------------------------------------------


def word(data: bytes, charset: str = "UTF-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def test_encoded_words_split_mid_character_are_joined_as_bytes():
    data = "髙橋です①".encode()
    for cut in range(1, len(data)):
        assert decode_header_value(f"{word(data[:cut])}\r\n {word(data[cut:])}") == "髙橋です①"


def test_split_shift_jis_words_and_surrounding_text():
    data = "受付".encode("cp932")
    value = f"Re: {word(data[:1], 'Shift_JIS')} {word(data[1:], 'shift_jis')} (2)"
    assert decode_header_value(value) == "Re: 受付 (2)"


def test_quoted_printable_word_and_words_of_different_charsets():
    value = "=?ISO-8859-1?Q?Caf=E9?= " + word("東京".encode("euc_jp"), "EUC-JP")
    assert decode_header_value(value) == "Café東京"


def test_raw_8bit_utf8_header_is_decoded():
    raw = "From: a@b.example\r\nSubject: 注文の確認\r\n\r\nx\r\n".encode()
    assert parse_message(raw).subject == "注文の確認"


def test_header_injection_never_reaches_a_field():
    mail = load("header_injection.eml")
    assert_one_line(mail)
    assert mail.message_id == "evil-1@attacker.example"


def test_dates_are_aware_utc():
    mail = load("docomo_iso2022jp_ms.eml")
    assert mail.date is not None and mail.date.utcoffset() is not None
    assert mail.date.isoformat() == "2026-12-04T00:15:00+00:00"


def test_threading_headers():
    mail = load("outlook_alternative_inline.eml")
    assert mail.message_id == "DM6PR01MB1234ABCD@DM6PR01MB1234.namprd01.prod.outlook.example"
    assert mail.in_reply_to == "reply-41@switchboard.example"
    assert mail.references == ("contact-7@switchboard.example", "reply-41@switchboard.example")
    assert [a.address for a in mail.cc] == ["accounts@contoso.example"]
    assert mail.to[0].name == "Support"


# --- bodies and attachments ------------------------------------------------------------------


def test_outlook_prefers_plain_text_and_keeps_the_inline_image():
    mail = load("outlook_alternative_inline.eml")
    assert not mail.html_was_source
    assert "MsoNormal" not in mail.text and "<p" not in mail.text
    (image,) = mail.attachments
    assert (image.filename, image.content_type, image.inline) == ("image001.png", "image/png", True)
    assert image.content_id == "image001.png@01DB0000.12345678"
    assert image.content is not None and image.content.startswith(b"\x89PNG") and image.size == 48


def test_html_only_mail_becomes_safe_text():
    mail = load("gmail_html_only.eml")
    assert mail.html_was_source
    for unwanted in ("alert", "color:red", "<div", "&lt;"):
        assert unwanted not in mail.text


def test_html_to_text_blocks_links_and_scripts():
    html = ('<p>Hello <b>there</b></p><script>steal()</script><div>See <a href="https://ex.jp/a?b=1&amp;c=2">'
            'our page</a><br>bye <a href="javascript:evil()">click</a></div>'
            "<ul><li>one</li><li>two</li></ul>")
    assert html_to_text(html) == (
        "Hello there\n\nSee our page (https://ex.jp/a?b=1&c=2)\nbye click\n\n- one\n- two"
    )


def test_rfc2231_and_rfc2047_file_names():
    mail = load("rfc2231_filename.eml")
    names = [(a.filename, a.content_type, a.inline) for a in mail.attachments]
    assert names == [("見積書_2026年12月.pdf", "application/pdf", False),
                     ("注文一覧①.xls", "application/vnd.ms-excel", False)]
    assert mail.attachments[0].content == b"%PDF-1.4\n%test\n" * 20
    assert mail.attachments[0].size == 300


def test_attachment_over_the_limit_is_refused_and_the_rest_kept():
    mail = parse_message((CORPUS / "rfc2231_filename.eml").read_bytes(), max_attachment_bytes=100)
    pdf, xls = mail.attachments
    assert pdf.content is None and pdf.size == 300
    assert xls.content is not None and xls.size == 64
    assert mail.problems == (
        "Attachment '見積書_2026年12月.pdf' (300 bytes) is over the 100 bytes limit and was not kept.",
    )
    assert "見積書を添付します。" in mail.text


def test_fifty_megabyte_attachment_is_measured_not_kept():
    line = base64.b64encode(os.urandom(57)) + b"\r\n"
    raw = (b"From: big@example.jp\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
           b"--x\r\nContent-Type: text/plain\r\n\r\nPlease see the archive.\r\n"
           b"--x\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=x.zip\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + line * (52 * 1024 * 1024 // 57) + b"--x--\r\n")
    mail = parse_message(raw)
    (archive,) = mail.attachments
    assert archive.content is None and archive.size == 57 * (52 * 1024 * 1024 // 57)
    assert mail.problems == ("Attachment 'x.zip' (52 MB) is over the 25 MB limit and was not kept.",)
    assert mail.text == "Please see the archive."


# --- kinds: auto-replies, lists, bounces -----------------------------------------------------


def test_bounce_names_our_message_and_the_reason():
    mail = load("dsn_bounce.eml")
    assert mail.bounced_message_id == "reply-42@switchboard.example"
    assert mail.bounce_reason == ("5.1.1 smtp; 550 5.1.1 <nobody@customer.example>: Recipient address "
                                  "rejected: User unknown (nobody@customer.example)")


def test_bounce_with_the_returned_message_attached():
    raw = (b"From: postmaster@mx.example.jp\r\nSubject: failure notice\r\n"
           b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
           b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
           b"Final-Recipient: rfc822; x@example.jp\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n"
           b"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: support@switchboard.example\r\n"
           b"Message-ID: <reply-77@switchboard.example>\r\nSubject: Re: x\r\n\r\nOur reply.\r\n--b--\r\n")
    mail = parse_message(raw)
    assert (mail.kind, mail.bounced_message_id) == (MailKind.BOUNCE, "reply-77@switchboard.example")
    assert mail.bounce_reason == "5.2.2 (x@example.jp)"


@pytest.mark.parametrize(("header", "kind"), [
    ("Auto-Submitted: auto-generated", MailKind.AUTO_REPLY),
    ("Auto-Submitted: no", MailKind.CUSTOMER),
    ("X-Autoreply: yes", MailKind.AUTO_REPLY),
    ("X-Autorespond: on vacation", MailKind.AUTO_REPLY),
    ("Precedence: bulk", MailKind.LIST),
    ("Precedence: junk", MailKind.AUTO_REPLY),
    ("List-Unsubscribe: <https://lists.example/u>", MailKind.LIST),
    ("X-Mailer: Thunderbird", MailKind.CUSTOMER),
])
def test_kind_from_headers(header, kind):
    raw = f"From: a@example.jp\r\nSubject: s\r\n{header}\r\n\r\nbody\r\n".encode()
    assert parse_message(raw).kind is kind


# --- bad input -------------------------------------------------------------------------------


def test_ten_thousand_parts_are_capped_and_fast():
    part = b"--b\r\nContent-Type: application/octet-stream\r\n\r\nx%d\r\n"
    parts = b"".join(part % i for i in range(10_000))
    raw = (b"From: bomb@example.net\r\nSubject: bomb\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n" + parts + b"--b--\r\n")
    start = time.perf_counter()
    mail = parse_message(raw)
    assert time.perf_counter() - start < 0.5
    assert mail.text == "first part"
    assert 0 < len(mail.attachments) < MAX_PARTS
    assert any("too many parts" in p for p in mail.problems)


def test_deeply_nested_multiparts_do_not_exhaust_the_stack():
    raw = b"From: deep@example.net\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for level in range(1, 3000):
        raw += b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (level - 1, level)
    start = time.perf_counter()
    mail = parse_message(raw)
    assert time.perf_counter() - start < 0.5
    assert mail.subject == "deep" and any("too many parts" in p for p in mail.problems)


def test_malformed_mime_is_noted_not_raised():
    mail = load("malformed_mime.eml")
    assert mail.date is None
    assert "The date 'not a date' could not be read." in mail.problems
    assert any("MIME structure is damaged" in p for p in mail.problems)


def test_every_truncation_of_the_corpus_parses_or_is_refused_clearly():
    for path in sorted(CORPUS.glob("*.eml")):
        raw = path.read_bytes()
        for cut in range(1, len(raw), max(1, len(raw) // 40)):
            try:
                mail = parse_message(raw[:cut])
            except ValidationError:
                assert cut < 40, f"{path.name} cut at {cut} refused"  # only before any header is complete
                continue
            assert_clean(mail)
            assert_one_line(mail)


@pytest.mark.parametrize("raw", [
    b"", b"   \r\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(256)) * 4,
    b"just some words, no headers",
])
def test_bytes_that_are_no_mail_are_refused(raw):
    with pytest.raises(ValidationError):
        parse_message(raw)


def test_unencoded_iso2022jp_subject_is_decoded():
    # Old mailers put ISO-2022-JP bytes straight into the header without RFC 2047.
    raw = b"From: a@example.jp\r\nSubject: " + mail_corpus.jis("①の件") + b"\r\n\r\nbody\r\n"
    assert parse_message(raw).subject == "①の件"


def test_iso2022jp_cut_mid_character_keeps_what_was_sent():
    encoded = mail_corpus.jis("お願い")
    assert decode_text(encoded[:-4], "utf-8") == "お願"


def test_utf8_body_cut_inside_its_last_character_is_still_read():
    data = "残高照会".encode()
    assert decode_text(data[:-1], "utf-8") == "残高照"


def test_short_unlabelled_latin_header_and_short_garbage():
    assert decode_text("José".encode("cp1252"), None) == "José"
    assert decode_text(b"\xe6\xae\x8b\xe9\xab\x98\xe7\x85\xa7\xe4\xbc\x9a\xff", None) is None


def test_raw_8bit_cp932_file_name():
    name = "請求書①.pdf".encode("cp932")
    raw = (b"From: a@example.jp\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/pdf\r\n"
           b'Content-Disposition: attachment; filename="' + name + b'"\r\n\r\nxx\r\n--b--\r\n')
    assert [a.filename for a in parse_message(raw).attachments] == ["請求書①.pdf"]


def test_empty_plain_alternative_falls_back_to_html_and_keeps_each_image_once():
    raw = (b"From: a@example.jp\r\nSubject: x\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n"
           b"--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n"
           b"--a\r\nContent-Type: multipart/related; boundary=r\r\n\r\n"
           b"--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Card <b>lost</b></p>\r\n"
           b"--r\r\nContent-Type: image/gif\r\nContent-ID: <logo>\r\n\r\nGIF89a\r\n--r--\r\n--a--\r\n")
    mail = parse_message(raw)
    assert (mail.text, mail.html_was_source) == ("Card lost", True)
    assert [(a.content_id, a.inline) for a in mail.attachments] == [("logo", True)]


def test_deeply_nested_forwards_do_not_exhaust_the_stack():
    raw = b"From: fw@example.net\r\nSubject: fw\r\n"
    raw += b"Content-Type: message/rfc822\r\n\r\nFrom: fw@example.net\r\nSubject: fw\r\n" * 3000
    raw += b"\r\nbottom\r\n"
    mail = parse_message(raw)
    assert mail.subject == "fw" and any("too many parts" in p for p in mail.problems)


def test_docomo_emoji_are_kept_and_noted():
    # docomo emoji in a Shift_JIS body: the sun (F89F, U+E63E) and F995 (U+E6F0).
    body = "晴れ".encode("cp932") + b"\xf8\x9f" + "です".encode("cp932") + b"\xf9\x95"
    raw = b"From: a@docomo.ne.jp\r\nSubject: x\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\n" + body
    mail = parse_message(raw)
    assert mail.text == "晴れ\ue63eです\ue6f0"
    assert mail.problems == (
        "The text holds 2 phone-carrier emoji (private-use characters) that may show as boxes.",
    )


def test_undecodable_subject_bytes_are_kept_and_shown_in_hex():
    bogus = b"=?x-bogus?B?" + base64.b64encode(b"\xff\xfe\x81") + b"?="
    raw = b"From: a@example.jp\r\nSubject: Order " + bogus + b"\r\n\r\nbody\r\n"
    mail = parse_message(raw)
    assert mail.subject == "Order [undecodable: ff fe 81]"
    assert [(u.label, u.raw) for u in mail.undecodable] == [("header Subject", b"\xff\xfe\x81")]
    assert mail.problems == ("Part of the subject (3 bytes) could not be decoded; it is shown in hex.",)
