"""Which hook checks, and which processor applies, each channel kind's webhook events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.channels import processors as messaging_processors
from console.channels.event_worker import Processor
from console.channels.hooks.cti import CtiHook
from console.channels.hooks.line import LineHook
from console.channels.hooks.messenger import MessengerHook
from console.channels.hooks.twilio import TwilioHook
from console.channels.secrets import SecretStore
from console.channels.webhooks import Hook
from console.domain.channel_accounts import ChannelKind

if TYPE_CHECKING:
    from console.security.guard import Door


def hooks() -> dict[ChannelKind, Hook]:
    """The hook of every kind the gateway serves over HTTP."""
    return {ChannelKind.CTI: CtiHook(), ChannelKind.LINE: LineHook(),
            ChannelKind.TWILIO: TwilioHook(), ChannelKind.MESSENGER: MessengerHook()}


def processors(door: Door, secrets: SecretStore) -> dict[ChannelKind, Processor]:
    """The processor of every kind whose stored events the gateway applies."""
    return messaging_processors.processors(door, secrets)
