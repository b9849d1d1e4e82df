"""The pure rules under the provider clients: Retry-After and the API addresses they accept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.channels.providers.http import check_api_base, parse_retry_after
from console.errors import ValidationError

NOW = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0),
    ("0", 0.0),
    (" 3 ", 3.0),
    ("Fri, 20 Nov 2026 01:31:30 GMT", 90.0),  # an HTTP date, from the clock's now
    ("Fri, 20 Nov 2026 01:00:00 GMT", 0.0),  # already past: no wait
    ("Friday, 20-Nov-26 01:30:10 GMT", 10.0),  # the obsolete RFC 850 form
    (None, None),
    ("", None),
    ("soon", None),
    ("-5", None),
    ("1.5", None),  # delta-seconds are whole numbers
])
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(("url", "expected"), [
    ("https://api.line.me", "https://api.line.me"),
    ("https://api.twilio.com/", "https://api.twilio.com"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://localhost:9", "http://localhost:9"),
    ("http://[::1]:9", "http://[::1]:9"),
])
def test_api_base_accepted(url: str, expected: str) -> None:
    assert check_api_base(url, "LINE") == expected


@pytest.mark.parametrize("url", [
    "http://api.line.me",  # the token in the clear
    "http://10.0.0.5:8080",
    "ftp://api.line.me",
    "api.line.me",
    "https://api.line.me/v2/bot",  # the clients add the documented paths
    "https://api.line.me?x=1",
    "https://user@api.line.me",
    "",
])
def test_api_base_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        check_api_base(url, "LINE")
