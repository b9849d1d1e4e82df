"""Contact topics: why demo customers get in touch, which queue that lands in, how often."""

from __future__ import annotations

from typing import NamedTuple


class Lines(NamedTuple):
    """The words of one topic in one language.

    Attributes:
        label: what the IVR or the branch greeter logs (phone and walk-in subjects).
        subjects: e-mail subject lines.
        emails: e-mail bodies.
        casual: what people type in chat, SMS, LINE or say on the phone.
        replies: an agent's answer that settles it.
    """

    label: str
    subjects: tuple[str, ...]
    emails: tuple[str, ...]
    casual: tuple[str, ...]
    replies: tuple[str, ...]


class Topic(NamedTuple):
    key: str
    queue: str
    weight: int
    urgent: bool = False


TOPICS = (
    Topic("card_lost", "Cards", 12, urgent=True),
    Topic("card_fraud", "Cards", 5, urgent=True),
    Topic("card_limit", "Cards", 6),
    Topic("card_declined", "Cards", 8),
    Topic("mortgage", "Loans & Mortgages", 6),
    Topic("loan_application", "Loans & Mortgages", 5),
    Topic("login", "Online Banking", 12),
    Topic("transfer", "Online Banking", 10),
    Topic("app", "Online Banking", 6),
    Topic("address_change", "General", 8),
    Topic("statement", "General", 6),
    Topic("fees", "General", 6),
)
