"""E-mail as a channel: turning real-world inbound messages into `InboundMail`."""

from console.channels.mail.parse import DEFAULT_MAX_ATTACHMENT_BYTES, MAX_PARTS, parse_message

__all__ = ["DEFAULT_MAX_ATTACHMENT_BYTES", "MAX_PARTS", "parse_message"]
