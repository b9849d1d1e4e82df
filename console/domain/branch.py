"""What the branch lookup hands out: frozen dataclasses holding masked numbers only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from console.domain import AccountInfo, TimelineEntry

KNOWLEDGE_QUESTIONS = ("date_of_birth", "phone", "email")
ID_DOCUMENTS = ("passport", "driving_licence", "residence_card", "my_number_card")
KNOWLEDGE_NEEDED = 2
APPLICATION_KINDS = ("account_opening", "loan", "card", "mortgage")
OPEN_APPLICATION = ("submitted", "in_review", "awaiting_documents")
LOOKUP_KINDS = ("auto", "name", "phone", "account", "dob")


@dataclass(frozen=True, slots=True)
class LookupRow:
    """One search result: enough to pick the right person at the counter, no more.

    Attributes:
        phone_hint: the last four digits of the first phone number, if any.
    """

    id: int
    display_name: str
    name_kana: str | None
    birth_year: int | None
    phone_hint: str | None


@dataclass(frozen=True, slots=True)
class ApplicationInfo:
    id: int
    kind: str
    status: str
    reference: str
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class AppointmentInfo:
    id: int
    customer_id: int
    starts_at: datetime
    duration_min: int
    location: str
    purpose: str
    booked_by: str


@dataclass(frozen=True, slots=True)
class ComplaintInfo:
    id: int
    customer_id: int
    summary: str
    status: str
    recorded_by: str
    escalated_team: str | None
    escalated_to: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The outcome of one identity checklist.

    Attributes:
        passed: whether staff may now unmask and change contact details.
        correct_answers: how many knowledge questions were answered correctly.
        valid_until: when the verification lapses (None when it failed).
    """

    customer_id: int
    passed: bool
    method: str
    correct_answers: int
    valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class ContactDetails:
    customer_id: int
    phones: tuple[str, ...]
    emails: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomerCard:
    """The branch view of a customer; every identifier in it is masked.

    Attributes:
        national_id: masked (last four digits), or None when not on file.
        verified_until: when the viewer's identity check lapses, None if not verified.
    """

    id: int
    display_name: str
    name_kana: str | None
    date_of_birth: date | None
    language: str
    segment: str
    vip: bool
    national_id: str | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    accounts: tuple[AccountInfo, ...]
    recent_contacts: tuple[TimelineEntry, ...]
    applications: tuple[ApplicationInfo, ...]
    appointments: tuple[AppointmentInfo, ...]
    complaints: tuple[ComplaintInfo, ...]
    verified_until: datetime | None
