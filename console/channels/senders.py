"""Sending one messaging reply through its provider's API: LINE, Twilio SMS, Messenger.

- **LINE**: the reply token of the customer's newest message while it is fresh
  (free), else a push message (counts against the account's monthly quota).
  A token LINE refuses (used, expired) falls back to a push. Which one went
  out is recorded on the delivery (``method``), and the agent sees it.
  Pushes carry the reply's id as LINE's retry key, so a retried push is
  never sent twice.
- **Twilio**: the Messages API from the account's ``from`` number (or
  Messaging Service); a body longer than the segment limit is refused with
  its length, never cut.
- **Messenger**: the Send API within 24 hours of the customer's last
  message; outside it the reply is refused before Meta is asked, with the
  reason for the agent.

Outcomes are the provider clients' errors (console.channels.providers):
``TemporaryFailure`` to retry, ``PermanentFailure``/``ValidationError`` for
not delivered, ``CredentialsRefused``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from console.channels.errors import PermanentFailure
from console.channels.providers import line as line_api
from console.channels.providers import messenger as messenger_api
from console.channels.providers import twilio as twilio_api
from console.clock import Clock
from console.domain.channel_accounts import ChannelKind
from console.errors import ValidationError
from console.services.messaging import OutgoingMessage

log = logging.getLogger(__name__)

# LINE's reply tokens are short-lived; past this, a push is sent without trying the token.
REPLY_TOKEN_FRESH = timedelta(seconds=50)


@dataclass(frozen=True)
class SentVia:
    """How a reply went out: the method, the provider's message id, its answer for people."""

    method: str
    provider_message_id: str
    response: str


def send(out: OutgoingMessage, secrets: Mapping[str, str], clock: Clock) -> SentVia:
    """Sends ``out`` through its account's provider (see the module docstring)."""
    base = out.settings.get("api_base") or None
    if out.kind == ChannelKind.LINE:
        return _line(out, secrets, clock, base)
    if out.kind == ChannelKind.TWILIO:
        with twilio_api.TwilioClient(secrets["account_sid"], secrets["auth_token"],
                                     api_base=base or twilio_api.API_BASE, clock=clock) as sms:
            sent = sms.send_sms(out.recipient, secrets["from"], out.body)
        return SentVia("sms", sent.sid, f"Twilio {sent.status} {sent.sid} "
                                        f"({sent.segments.segments} segment(s))")
    if out.kind == ChannelKind.MESSENGER:
        with messenger_api.MessengerClient(secrets["page_token"],
                                           api_base=base or messenger_api.API_BASE,
                                           clock=clock) as page:
            sent_m = page.send_text(out.recipient, out.body,
                                    last_customer_message_at=out.last_inbound_at)
        return SentVia("send_api", sent_m.message_id, f"Messenger accepted {sent_m.message_id}")
    raise ValidationError(f"A {out.kind.value} account sends no replies.")


def _line(out: OutgoingMessage, secrets: Mapping[str, str], clock: Clock,
          base: str | None) -> SentVia:
    with line_api.LineClient(secrets["access_token"], api_base=base or line_api.API_BASE,
                             data_base=base or line_api.DATA_BASE, clock=clock) as client:
        fresh = (out.reply_token and out.reply_token_at is not None
                 and clock.now() - out.reply_token_at < REPLY_TOKEN_FRESH)
        if fresh:
            try:
                sent = client.reply(out.reply_token, [out.body])
                return SentVia("reply", ",".join(sent.message_ids),
                               f"LINE reply accepted {sent.request_id}".strip())
            except PermanentFailure as refused:
                # Used or expired (LINE: "Invalid reply token"): the push still reaches them.
                log.info("reply %d: LINE refused the reply token (%s); pushing", out.job_id,
                         refused.reason)
        sent = client.push(out.recipient, [out.body], retry_key=out.message_id)
        note = " (already accepted)" if sent.already_accepted else ""
        return SentVia("push", ",".join(sent.message_ids),
                       f"LINE push accepted {sent.request_id}{note}".strip())
