"""Builds the inbound-mail test corpus (``tests/data/mail/*.eml``) byte by byte.

The messages imitate what Japanese carriers, Outlook, Gmail, iPhone, list
servers and MTAs really send, written here rather than copied. Run
``python -m tools.mail_corpus`` to rewrite the files; a test checks they match.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tools.mail_corpus.clients import (
    dsn_bounce,
    gmail_html_only,
    header_injection,
    iphone_forward,
    latin1_label_on_utf8,
    mailing_list,
    malformed,
    out_of_office,
    outlook_alternative,
    undecodable,
)
from tools.mail_corpus.encoding import jis, sjis_to_jis
from tools.mail_corpus.japanese import (
    docomo_iso2022jp,
    eucjp,
    halfwidth_kana,
    no_charset,
    rfc2047_split,
    rfc2231_filename,
    sjis_labelled,
    wrong_charset,
)

__all__ = ["CORPUS", "MESSAGES", "jis", "main", "sjis_to_jis"]

CORPUS = Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "mail"

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
