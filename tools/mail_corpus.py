"""Builds the inbound-mail test corpus (``tests/data/mail/*.eml``) byte by byte.

The messages imitate what Japanese carriers, Outlook, Gmail, iPhone, list
servers and MTAs really send, written here rather than copied. Run
``python -m tools.mail_corpus`` to rewrite the files; a test checks they match.
"""

from __future__ import annotations

import base64
import quopri
import sys
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "mail"
CRLF = b"\r\n"


def sjis_to_jis(data: bytes) -> bytes:
    """Rewrite CP932 bytes as 7-bit ISO-2022-JP (CP50220-style) with escape sequences.

    Written independently of the parser's JIS-to-Shift_JIS routine so that a
    round trip through both tests each against the other.
    """
    out, mode, i = bytearray(), "ascii", 0
    while i < len(data):
        byte = data[i]
        if 0xA1 <= byte <= 0xDF:  # half-width katakana: JIS X 0201 katakana set
            out += b"\x1b(I" if mode != "kana" else b""
            out.append(byte - 0x80)
            mode, i = "kana", i + 1
        elif byte >= 0x81:
            s1, s2 = byte, data[i + 1]
            row = (s1 - (0x70 if s1 <= 0x9F else 0xB0)) * 2
            if s2 < 0x9F:
                row, col = row - 1, s2 - (0x1F if s2 < 0x80 else 0x20)
            else:
                col = s2 - 0x7E
            out += b"\x1b$B" if mode != "double" else b""
            out += bytes((row, col))
            mode, i = "double", i + 2
        else:
            out += b"\x1b(B" if mode != "ascii" else b""
            out.append(byte)
            mode, i = "ascii", i + 1
    return bytes(out + (b"\x1b(B" if mode != "ascii" else b""))


def jis(text: str) -> bytes:
    """Text as ISO-2022-JP with Microsoft's extensions, the way Outlook Express and carriers send it."""
    return sjis_to_jis(text.encode("cp932"))


def word(data: bytes, charset: str) -> bytes:
    """One RFC 2047 B-encoded word."""
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(data) + b"?="


def message(headers: list[bytes], body: bytes) -> bytes:
    return CRLF.join([*headers, b"", body]) + CRLF


def b64_lines(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def docomo_iso2022jp() -> bytes:
    return message([
        b"Return-Path: <hanako.takasaki@docomo.ne.jp>",
        b"From: " + word(jis("髙﨑花子"), "ISO-2022-JP") + b" <hanako.takasaki@docomo.ne.jp>",
        b"To: support@switchboard.example",
        b"Subject: " + word(jis("ご注文①の件（Ⅱ期）"), "ISO-2022-JP"),
        b"Date: Fri, 04 Dec 2026 09:15:00 +0900",
        b"Message-ID: <20261204091500.ABC123@docomo.ne.jp>",
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=ISO-2022-JP",
        b"Content-Transfer-Encoding: 7bit",
    ], jis("お世話になります。髙﨑です。\r\n①商品の到着日\r\n②請求書の宛名\r\n"
           "Ⅱ期分の件でご連絡しました。\r\n"))


def sjis_labelled() -> bytes:
    body = "お問い合わせです。\r\n型番は№１２３、数量①～③です。髙島屋様宛。\r\n".encode("cp932")
    return message([
        b"From: " + word("鈴木一郎".encode("cp932"), "Shift_JIS") + b" <ichiro@ezweb.ne.jp>",
        b"To: support@switchboard.example",
        b"Subject: " + word("【至急】見積もり～再送".encode("cp932"), "Shift_JIS"),
        b"Date: Thu, 3 Dec 2026 18:02:11 +0900",
        b"Message-ID: <sjis-0001@ezweb.ne.jp>",
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=Shift_JIS",
        b"Content-Transfer-Encoding: 8bit",
    ], body)


def eucjp() -> bytes:
    return message([
        b"From: yamada@example.co.jp",
        b"To: support@switchboard.example",
        b"Subject: " + word("請求書について".encode("euc_jp"), "EUC-JP"),
        b"Date: Wed, 2 Dec 2026 10:00:00 +0900",
        b"Message-ID: <euc-7@example.co.jp>",
        b"Content-Type: text/plain; charset=EUC-JP",
        b"Content-Transfer-Encoding: 8bit",
    ], "先月分の請求書が届いておりません。ご確認ください。\r\n".encode("euc_jp"))


def no_charset() -> bytes:
    # Old in-house systems send raw CP932 in headers and body and name no charset at all.
    return message([
        b"From: " + "受付係".encode("cp932") + b" <uketsuke@old-system.example.jp>",
        b"To: support@switchboard.example",
        b"Subject: " + "口座振替の申込書を送付しました".encode("cp932"),
        b"Date: Tue, 1 Dec 2026 08:30:00 +0900",
        b"Message-ID: <nocharset-1@old-system.example.jp>",
        b"Content-Type: text/plain",
    ], "申込書を本日郵送いたしました。到着まで三日ほどかかります。\r\n".encode("cp932"))


def wrong_charset() -> bytes:
    # Labelled UTF-8, really ISO-2022-JP, and quoted-printable on top (zammad#6144, #4680).
    body = quopri.encodestring(jis("配送先を変更したいです。①番の住所へお願いします。\r\n"))
    return message([
        b"From: kimura@softbank.ne.jp",
        b"To: support@switchboard.example",
        b"Subject: =?UTF-8?Q?" + quopri.encodestring("住所変更".encode(), header=True) + b"?=",
        b"Date: Mon, 30 Nov 2026 21:45:00 +0900",
        b"Message-ID: <wrong-1@softbank.ne.jp>",
        b"Content-Type: text/plain; charset=UTF-8",
        b"Content-Transfer-Encoding: quoted-printable",
    ], body)


def latin1_label_on_utf8() -> bytes:
    return message([
        b"From: Jos\xc3\xa9 <jose@example.es>",
        b"To: support@switchboard.example",
        b"Subject: =?iso-8859-1?Q?Pedido_n=BA_55?=",
        b"Date: Mon, 30 Nov 2026 12:00:00 +0100",
        b"Message-ID: <latin-1@example.es>",
        b"Content-Type: text/plain; charset=iso-8859-1",
        b"Content-Transfer-Encoding: 8bit",
    ], "Buenos días, el envío llegó dañado. 東京支店にも連絡済みです。\r\n".encode())


def halfwidth_kana() -> bytes:
    return message([
        b"From: " + word(jis("ﾔﾏﾀﾞ ﾀﾛｳ"), "ISO-2022-JP") + b" <yamada.taro@i.softbank.jp>",
        b"To: support@switchboard.example",
        b"Subject: " + word(jis("ｶﾞｽ料金のお支払い"), "ISO-2022-JP"),
        b"Date: Sun, 29 Nov 2026 07:00:00 +0900",
        b"Message-ID: <kana-1@i.softbank.jp>",
        b"Content-Type: text/plain; charset=Shift_JIS",
        b"Content-Transfer-Encoding: 8bit",
    ], "ｺﾝﾋﾞﾆ払いはできますか？\r\n".encode("cp932"))


def rfc2047_split() -> bytes:
    subject = "返品とポイント払い戻しのお願い".encode()
    sjis = "担当者様へ".encode("cp932")
    return message([
        # Each pair of words splits a character's bytes between them.
        b"From: " + word(sjis[:3], "Shift_JIS") + b" " + word(sjis[3:], "Shift_JIS") + b" <w@example.jp>",
        b"To: support@switchboard.example",
        b"Subject: " + word(subject[:10], "UTF-8") + CRLF + b" " + word(subject[10:25], "UTF-8")
        + CRLF + b" " + word(subject[25:], "UTF-8"),
        b"Date: Sat, 28 Nov 2026 14:14:14 +0900",
        b"Message-ID: <split-1@example.jp>",
        b"Content-Type: text/plain; charset=UTF-8",
    ], "返品の手続きを教えてください。\r\n".encode())


def rfc2231_filename() -> bytes:
    pdf = b"%PDF-1.4\n%test\n" * 20
    name = "見積書_2026年12月.pdf".encode()
    quoted = "".join(f"%{b:02X}" for b in name)
    return message([
        b"From: sato@example.co.jp",
        b"To: support@switchboard.example",
        b"Subject: =?UTF-8?B?" + base64.b64encode("見積書の送付".encode()) + b"?=",
        b"Date: Fri, 27 Nov 2026 11:11:00 +0900",
        b"Message-ID: <2231-1@example.co.jp>",
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/mixed; boundary="=_outer"',
    ], CRLF.join([
        b"--=_outer",
        b"Content-Type: text/plain; charset=UTF-8",
        b"",
        "見積書を添付します。".encode(),
        b"--=_outer",
        b"Content-Type: application/pdf",
        b"Content-Disposition: attachment;",
        b" filename*0*=UTF-8''" + quoted[:30].encode() + b";",
        b" filename*1*=" + quoted[30:].encode(),
        b"Content-Transfer-Encoding: base64",
        b"",
        b64_lines(pdf),
        b"--=_outer",
        b'Content-Type: application/vnd.ms-excel; name="' + word(jis("注文一覧①.xls"), "ISO-2022-JP") + b'"',
        b'Content-Disposition: attachment; filename="' + word(jis("注文一覧①.xls"), "ISO-2022-JP") + b'"',
        b"Content-Transfer-Encoding: base64",
        b"",
        b64_lines(b"\xd0\xcf\x11\xe0" + b"\x00" * 60),
        b"--=_outer--",
    ]))


def outlook_alternative() -> bytes:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    html = (
        b'<html><head><style>p.MsoNormal{margin:0}</style></head><body>'
        b'<p class="MsoNormal">Dear support,</p><p class="MsoNormal">My card was charged twice.'
        b'<img src="cid:image001.png@01DB0000.12345678"></p></body></html>'
    )
    return message([
        b'From: "Smith, Jane" <jane.smith@contoso.example>',
        b"To: Support <support@switchboard.example>",
        b"Cc: accounts@contoso.example",
        b"Subject: RE: Duplicate charge on statement",
        b"Date: Thu, 26 Nov 2026 16:20:00 +0000",
        b"Message-ID: <DM6PR01MB1234ABCD@DM6PR01MB1234.namprd01.prod.outlook.example>",
        b"In-Reply-To: <reply-41@switchboard.example>",
        b"References: <contact-7@switchboard.example>",
        b" <reply-41@switchboard.example>",
        b"Thread-Topic: Duplicate charge on statement",
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/related; boundary="_rel_"; type="multipart/alternative"',
    ], CRLF.join([
        b"--_rel_",
        b'Content-Type: multipart/alternative; boundary="_alt_"',
        b"",
        b"--_alt_",
        b'Content-Type: text/plain; charset="us-ascii"',
        b"Content-Transfer-Encoding: quoted-printable",
        b"",
        b"Dear support,=0D=0A=0D=0AMy card was charged twice. Please refund one of th=",
        b"e two payments.",
        b"--_alt_",
        b'Content-Type: text/html; charset="us-ascii"',
        b"",
        html,
        b"--_alt_--",
        b"--_rel_",
        b"Content-Type: image/png; name=image001.png",
        b"Content-Description: image001.png",
        b"Content-Disposition: inline; filename=image001.png",
        b"Content-ID: <image001.png@01DB0000.12345678>",
        b"Content-Transfer-Encoding: base64",
        b"",
        b64_lines(png),
        b"--_rel_--",
    ]))


def gmail_html_only() -> bytes:
    html = (
        '<div dir="ltr"><div>こんにちは、</div><div><br></div><div>解約の方法を教えてください。'
        '<script>alert("x")</script></div><div>会員ページ: <a href="https://member.example.jp/cancel">'
        'こちら</a></div><style>div{color:red}</style><p>よろしくお願いします。</p></div>'
    ).encode()
    return message([
        b"From: =?UTF-8?B?" + base64.b64encode("中村 愛".encode()) + b"?= <ai.nakamura@gmail.example>",
        b"To: support@switchboard.example",
        b"Subject: =?UTF-8?B?" + base64.b64encode("解約について".encode()) + b"?=",
        b"Date: Wed, 25 Nov 2026 03:04:05 +0000",
        b"Message-ID: <CAF+abc123=xyz@mail.gmail.example>",
        b"MIME-Version: 1.0",
        b'Content-Type: text/html; charset="UTF-8"',
        b"Content-Transfer-Encoding: quoted-printable",
    ], quopri.encodestring(html))


def iphone_forward() -> bytes:
    inner = message([
        b"From: =?UTF-8?B?" + base64.b64encode("配送センター".encode()) + b"?= <noreply@delivery.example.jp>",
        b"To: kenji@icloud.example",
        b"Subject: =?UTF-8?B?" + base64.b64encode("不在連絡票".encode()) + b"?=",
        b"Date: Tue, 24 Nov 2026 10:00:00 +0900",
        b"Message-ID: <notice-99@delivery.example.jp>",
        b"Content-Type: text/plain; charset=ISO-2022-JP",
    ], jis("お荷物をお届けに参りましたがご不在でした。\r\n"))
    return message([
        b"From: Kenji <kenji@icloud.example>",
        b"To: support@switchboard.example",
        b"Subject: Fwd: =?UTF-8?B?" + base64.b64encode("不在連絡票".encode()) + b"?=",
        b"Date: Tue, 24 Nov 2026 12:00:00 +0900",
        b"Message-ID: <A1B2C3D4-0000-4000-8000-000000000001@icloud.example>",
        b"Mime-Version: 1.0 (1.0)",
        b"X-Mailer: iPhone Mail (21A329)",
        b"Content-Type: multipart/mixed; boundary=Apple-Mail-1",
    ], CRLF.join([
        b"--Apple-Mail-1",
        b"Content-Type: text/plain; charset=utf-8",
        b"Content-Transfer-Encoding: 8bit",
        b"",
        "この荷物はいつ届きますか？\r\n\r\niPhoneから送信".encode(),
        b"--Apple-Mail-1",
        b"Content-Type: message/rfc822",
        b"Content-Disposition: inline",
        b"",
        inner,
        b"--Apple-Mail-1--",
    ]))


def out_of_office() -> bytes:
    return message([
        b"From: Bob Lee <bob.lee@fabrikam.example>",
        b"To: support@switchboard.example",
        b"Subject: Automatic reply: Your contact 1042",
        b"Date: Mon, 23 Nov 2026 09:00:00 -0500",
        b"Message-ID: <oof-1@fabrikam.example>",
        b"In-Reply-To: <reply-55@switchboard.example>",
        b"Auto-Submitted: auto-replied",
        b"X-Auto-Response-Suppress: All",
        b"Content-Type: text/plain; charset=utf-8",
    ], b"I am out of the office until Monday.")


def mailing_list() -> bytes:
    return message([
        b"From: Announcements <news@lists.example.org>",
        b"To: customers@lists.example.org",
        b"Subject: [news] December maintenance window",
        b"Date: Sun, 22 Nov 2026 00:00:00 +0000",
        b"Message-ID: <list-2026-12@lists.example.org>",
        b"List-Id: Customer news <news.lists.example.org>",
        b"List-Unsubscribe: <mailto:news-leave@lists.example.org>",
        b"Precedence: list",
        b"Content-Type: text/plain; charset=utf-8",
    ], b"Maintenance is planned for December 12.")


def dsn_bounce() -> bytes:
    return message([
        b"From: MAILER-DAEMON@mx.switchboard.example (Mail Delivery System)",
        b"To: support@switchboard.example",
        b"Subject: Undelivered Mail Returned to Sender",
        b"Date: Sat, 21 Nov 2026 05:06:07 +0000",
        b"Message-ID: <20261121050607.DSN1@mx.switchboard.example>",
        b"Auto-Submitted: auto-replied",
        b"MIME-Version: 1.0",
        b"Content-Type: multipart/report; report-type=delivery-status;",
        b'\tboundary="DSN.boundary"',
    ], CRLF.join([
        b"--DSN.boundary",
        b"Content-Description: Notification",
        b"Content-Type: text/plain; charset=us-ascii",
        b"",
        b"This is the mail system at host mx.switchboard.example.",
        b"I'm sorry to have to inform you that your message could not be delivered.",
        b"--DSN.boundary",
        b"Content-Description: Delivery report",
        b"Content-Type: message/delivery-status",
        b"",
        b"Reporting-MTA: dns; mx.switchboard.example",
        b"Arrival-Date: Sat, 21 Nov 2026 05:06:05 +0000",
        b"",
        b"Final-Recipient: rfc822; nobody@customer.example",
        b"Original-Recipient: rfc822;nobody@customer.example",
        b"Action: failed",
        b"Status: 5.1.1",
        b"Remote-MTA: dns; mx.customer.example",
        b"Diagnostic-Code: smtp; 550 5.1.1 <nobody@customer.example>: Recipient address",
        b"    rejected: User unknown",
        b"",
        b"--DSN.boundary",
        b"Content-Description: Undelivered Message Headers",
        b"Content-Type: text/rfc822-headers",
        b"",
        b"From: Support <support@switchboard.example>",
        b"To: nobody@customer.example",
        b"Subject: Re: Your question",
        b"Message-ID: <reply-42@switchboard.example>",
        b"",
        b"--DSN.boundary--",
    ]))


def malformed() -> bytes:
    # The boundary named in the header never appears, and the base64 part is cut off.
    return message([
        b"From: broken@example.net",
        b"Subject: Broken message",
        b"Message-ID: <broken-1@example.net>",
        b"Date: not a date",
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/mixed; boundary="never-used"',
    ], b"Please call me back about my loan.\r\n--other\r\nContent-Type: application/pdf\r\n"
       b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJ")


def header_injection() -> bytes:
    evil_subject = base64.b64encode(b"Refund\r\nBcc: victim@example.com\r\n\r\nInjected")
    evil_name = base64.b64encode(b"Eve\r\nX-Evil: 1")
    return message([
        b"From: =?UTF-8?B?" + evil_name + b"?= <eve@attacker.example>",
        b"To: support@switchboard.example",
        b"Subject: =?UTF-8?B?" + evil_subject + b"?=",
        b"Message-ID: <evil-1@attacker.example>\r\n\tX-Smuggled: yes",
        b"Date: Fri, 20 Nov 2026 01:02:03 +0000",
        b"Content-Type: text/plain; charset=utf-8",
    ], b"Hello.")


def undecodable() -> bytes:
    # Bytes that are no text in any charset: declared as an unknown charset.
    return message([
        b"From: odd@example.net",
        b"Subject: Strange bytes",
        b"Message-ID: <odd-1@example.net>",
        b"Content-Type: text/plain; charset=x-unknown-8bit",
        b"Content-Transfer-Encoding: base64",
    ], b64_lines(bytes([0x00, 0x81, 0xFF, 0xFE, 0x80, 0x1B, 0x90, 0x00, 0xFF] * 8)))


MESSAGES: dict[str, Callable[[], bytes]] = {
    "docomo_iso2022jp_ms.eml": docomo_iso2022jp,
    "sjis_labelled_cp932.eml": sjis_labelled,
    "eucjp.eml": eucjp,
    "no_charset_cp932.eml": no_charset,
    "wrong_charset_utf8_is_jis.eml": wrong_charset,
    "latin1_label_on_utf8.eml": latin1_label_on_utf8,
    "halfwidth_kana.eml": halfwidth_kana,
    "rfc2047_split.eml": rfc2047_split,
    "rfc2231_filename.eml": rfc2231_filename,
    "outlook_alternative_inline.eml": outlook_alternative,
    "gmail_html_only.eml": gmail_html_only,
    "iphone_forward.eml": iphone_forward,
    "out_of_office.eml": out_of_office,
    "mailing_list.eml": mailing_list,
    "dsn_bounce.eml": dsn_bounce,
    "malformed_mime.eml": malformed,
    "header_injection.eml": header_injection,
    "undecodable.eml": undecodable,
}


def main() -> int:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, build in MESSAGES.items():
        (CORPUS / name).write_bytes(build())
    return 0


if __name__ == "__main__":
    sys.exit(main())
