"""Test mail as Japanese customers and carriers send it (ISO-2022-JP-MS, CP932, EUC-JP, ...)."""

from __future__ import annotations

import base64
import quopri

from tools.mail_corpus.encoding import CRLF, b64_lines, jis, message, word


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
