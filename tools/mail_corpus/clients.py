"""Test mail from Outlook, Gmail, iPhone, list servers and MTAs, and hostile or broken mail."""

from __future__ import annotations

import base64
import quopri

from tools.mail_corpus.encoding import CRLF, b64_lines, jis, message


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
