"""Icons drawn for Switchboard (resources/icons), loaded once per process."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

import resources
from console.domain import Channel

CHANNEL_LABELS = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "E-mail",
    Channel.CHAT: "Chat",
    Channel.SMS: "SMS",
    Channel.LINE: "LINE",
    Channel.SOCIAL: "Social media",
    Channel.WALKIN: "Walk-in",
}


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/NAME.svg``."""
    return QIcon(str(resources.path("icons", f"{name}.svg")))


def channel_icon(channel: Channel) -> QIcon:
    return icon(channel.value)


def channel_label(channel: Channel) -> str:
    return CHANNEL_LABELS.get(channel, channel.value)
