"""E-mail: the IMAP intake, the SMTP delivery and the parsing of real-world mail into `InboundMail`."""

from console.channels.mail.parse import DEFAULT_MAX_ATTACHMENT_BYTES, MAX_PARTS, parse_message

__all__ = ["DEFAULT_MAX_ATTACHMENT_BYTES", "MAX_PARTS", "parse_message"]
