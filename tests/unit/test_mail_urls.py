"""Mail server addresses as administrators write them (console/channels/mail/urls.py)."""

from __future__ import annotations

import pytest

from console.channels.mail.urls import parse_server_url
from console.errors import ValidationError

IMAP = ("imap", "imaps")
SMTP = ("smtp", "smtps")


def test_an_imap_address_with_everything_given() -> None:
    url = "imap://support%40example.jp@mail.example.jp:1143/Support/Inbox?starttls=1"
    address = parse_server_url(url, IMAP)
    assert (address.host, address.port, address.user, address.path) == (
        "mail.example.jp", 1143, "support@example.jp", "Support/Inbox")
    assert address.starttls and not address.tls
    assert "support@example.jp" in str(address) and "1143" in str(address)


@pytest.mark.parametrize(("url", "schemes", "port", "tls"), [
    ("imap://u@h", IMAP, 143, False), ("imaps://u@h", IMAP, 993, True),
    ("smtp://h", SMTP, 25, False), ("smtps://u@h", SMTP, 465, True),
])
def test_each_scheme_has_its_default_port(url: str, schemes: tuple[str, str], port: int, tls: bool) -> None:
    address = parse_server_url(url, schemes)
    assert address.port == port and address.tls is tls and not address.starttls


def test_smtp_without_a_user_signs_in_as_nobody() -> None:
    assert parse_server_url("smtp://relay.example.jp:587?starttls=yes", SMTP).user is None


@pytest.mark.parametrize("url", ["imap://u@h", "smtp://h?starttls=maybe", "smtps://h?starttls=1",
                                 "smtp://h:0x19", "smtp:///", "smtp://h x"])
def test_what_is_not_an_smtp_address_is_refused_with_the_address_named(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_server_url(url, SMTP)
    assert repr(url) in refused.value.message
