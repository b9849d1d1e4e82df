"""The identity checklist: 2 of 3 knowledge questions, or a sighted ID document.

A passed checklist lets the member of staff who ticked it unmask numbers and
change contact details of that customer until it lapses; nobody else inherits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console import phones
from console.domain.branch import ID_DOCUMENTS, KNOWLEDGE_NEEDED, KNOWLEDGE_QUESTIONS
from console.errors import NotPermitted, ValidationError
from console.store.models import Customer, CustomerEmail, CustomerPhone
from console.store.models_security import IdentityVerification

MAX_ANSWER = 254


def check_request(answers: Mapping[str, str], sighted_document: str | None) -> None:
    """Rejects a checklist that names unknown questions or documents."""
    unknown = set(answers) - set(KNOWLEDGE_QUESTIONS)
    if unknown:
        raise ValidationError(f"Unknown question(s): {', '.join(sorted(unknown))}; "
                              f"ask {', '.join(KNOWLEDGE_QUESTIONS)}.")
    if any(len(a) > MAX_ANSWER for a in answers.values()):
        raise ValidationError(f"An answer is longer than {MAX_ANSWER} characters.")
    if sighted_document is not None and sighted_document not in ID_DOCUMENTS:
        raise ValidationError(f"'{sighted_document}' is not an ID document we accept; "
                              f"use one of {', '.join(ID_DOCUMENTS)}.")
    if not answers and sighted_document is None:
        raise ValidationError("Tick a sighted ID document or record the customer's answers.")


def correct_answers(s: Session, customer: Customer, answers: Mapping[str, str],
                    regions: tuple[str, ...]) -> int:
    """How many of ``answers`` match the customer's record (compared, never stored)."""
    checks = {
        "date_of_birth": lambda a: _same_date(customer.date_of_birth, a),
        "phone": lambda a: _known_phone(s, customer.id, a, regions),
        "email": lambda a: _known_email(s, customer.id, a),
    }
    return sum(1 for q, a in answers.items() if a.strip() and checks[q](a))


def passed(correct: int, sighted_document: str | None) -> bool:
    return sighted_document is not None or correct >= KNOWLEDGE_NEEDED


def valid_until(s: Session, customer_id: int, agent_id: int, now: datetime) -> datetime | None:
    """When this agent's latest passed check of this customer lapses (None: not verified)."""
    latest: datetime | None = s.execute(
        select(IdentityVerification.expires_at)
        .where(IdentityVerification.customer_id == customer_id,
               IdentityVerification.agent_id == agent_id, IdentityVerification.passed,
               IdentityVerification.expires_at > now)
        .order_by(IdentityVerification.expires_at.desc()).limit(1)).scalar()
    return latest


def require(s: Session, customer_id: int, agent_id: int, now: datetime) -> None:
    """Raises NotPermitted unless this agent has verified this customer recently."""
    if valid_until(s, customer_id, agent_id, now) is None:
        raise NotPermitted("Verify the customer's identity first (2 of 3 questions or a "
                           "sighted ID document); nothing was shown or changed.")


def _same_date(known: date | None, answer: str) -> bool:
    try:
        return known is not None and date.fromisoformat(answer.strip().replace("/", "-")) == known
    except ValueError:
        return False


def _known_phone(s: Session, customer_id: int, answer: str, regions: tuple[str, ...]) -> bool:
    candidates = phones.to_e164(answer, regions) if phones.looks_like_phone(answer) else []
    if not candidates:
        return False
    found = s.execute(select(CustomerPhone.id).where(CustomerPhone.customer_id == customer_id,
                                                     CustomerPhone.e164.in_(candidates))).first()
    return found is not None


def _known_email(s: Session, customer_id: int, answer: str) -> bool:
    found = s.execute(select(CustomerEmail.id).where(
        CustomerEmail.customer_id == customer_id,
        CustomerEmail.email == answer.strip().casefold())).first()
    return found is not None
