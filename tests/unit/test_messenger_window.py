"""Messenger's 24-hour reply window: the rule the client and the gateway share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.channels.errors import PermanentFailure
from console.channels.providers.messenger import (
    check_reply_window,
    reply_window_closes_at,
    reply_window_refusal,
)

NOW = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def test_messenger_window() -> None:
    last = NOW - timedelta(hours=23, minutes=59)
    assert reply_window_closes_at(last) == last + timedelta(hours=24)
    assert reply_window_refusal(last, NOW) is None
    check_reply_window(last, NOW)
    closed = reply_window_refusal(NOW - timedelta(hours=24), NOW)
    assert closed is not None and "24 hours ago" in closed and "another channel" in closed
    assert "27 hours ago" in str(reply_window_refusal(NOW - timedelta(hours=27, minutes=40), NOW))


def test_messenger_window_refuses_before_asking() -> None:
    with pytest.raises(PermanentFailure) as refused:
        check_reply_window(NOW - timedelta(days=3), NOW)
    assert refused.value.code is None and "72 hours ago" in refused.value.message
    with pytest.raises(PermanentFailure, match="has not written"):
        check_reply_window(None, NOW)
