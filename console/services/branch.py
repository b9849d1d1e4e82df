"""Branch lookup: find a customer at the counter, read the card, verify, act.

Every method takes the signed-in ``Principal`` and writes its audit entry in
the same transaction as the work (searches and views included). Full numbers
leave this module only through ``unmask_*`` and only after the same person
has passed the identity checklist (console.services._verification).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from console import phones as phones_module
from console.clock import Clock
from console.domain.branch import (
    APPLICATION_KINDS,
    LOOKUP_KINDS,
    ApplicationInfo,
    AppointmentInfo,
    ComplaintInfo,
    ContactDetails,
    CustomerCard,
    LookupRow,
    VerificationResult,
)
from console.errors import NotFound, ValidationError
from console.masking import mask_digit_runs, mask_number
from console.security.principal import Principal
from console.services import _branch_records as branch_records
from console.services import _verification as verification
from console.services import audit, customer_cards
from console.services.customers import CustomerService, _check_email, clean_query
from console.store import changes
from console.store.db import Database
from console.store.models import Account, Agent, Customer, CustomerEmail, CustomerPhone, Team
from console.store.models_security import Application, Appointment, Complaint, IdentityVerification

MAX_RESULTS = 50
_DATE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")


def _text(value: str, field: str, limit: int, *, multiline: bool = False) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ValidationError(f"The {field} is empty.")
    if len(cleaned) > limit:
        raise ValidationError(f"The {field} has {len(cleaned)} characters; {limit} at most.")
    allowed = "\n\t" if multiline else ""
    if any(not ch.isprintable() and ch not in allowed for ch in cleaned):
        raise ValidationError(f"The {field} contains control characters.")
    return cleaned


def parse_birth_date(text: str) -> date:
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in re.split("[-/]", text.strip())))
    except ValueError:
        raise ValidationError(f"'{text}' is not a date (use YYYY-MM-DD).") from None


class BranchService:
    """Customer lookup and records for branch staff.

    Args:
        db: the database.
        clock: where "now" comes from.
        phone_regions: regions tried for numbers typed without a country code.
        verification_valid_for: how long a passed identity check lasts.
    """

    def __init__(self, db: Database, clock: Clock, phone_regions: tuple[str, ...] = ("JP", "US", "GB"),
                 *, verification_valid_for: timedelta = timedelta(minutes=15)) -> None:
        self._db = db
        self._clock = clock
        self._regions = phone_regions
        self._valid_for = verification_valid_for
        self._customers = CustomerService(db, clock, phone_regions)

    def lookup(self, actor: Principal, query: str, *, by: str = "auto",
               limit: int = 20) -> list[LookupRow]:
        """Customers matching a name (Latin, kanji, kana), phone, account number or birth date."""
        if by not in LOOKUP_KINDS:
            raise ValidationError(f"Unknown search kind '{by}'; use one of {', '.join(LOOKUP_KINDS)}.")
        if not 1 <= limit <= MAX_RESULTS:
            raise ValidationError(f"Ask for 1 to {MAX_RESULTS} results.")
        q = clean_query(query)
        if by == "dob" or (by == "auto" and _DATE.match(q)):
            born = parse_birth_date(q)
            with self._db.read() as s:
                ids = list(s.execute(select(Customer.id).where(Customer.date_of_birth == born)
                                     .order_by(Customer.id).limit(limit)).scalars())
        else:
            ids = [c.id for c in self._customers.find(q, by=by, limit=limit)]
        with self._db.write() as s:
            rows = _lookup_rows(s, ids)
            audit.append(s, at=self._clock.now(), actor=actor, action="search", entity="customers",
                         entity_id="-", detail={"by": by, "query": mask_digit_runs(q),
                                                "results": len(rows)})
        return rows

    def card(self, actor: Principal, customer_id: int) -> CustomerCard:
        """The customer's card with every identifier masked; the view is audited."""
        now = self._clock.now()
        with self._db.write() as s:
            c = branch_records.customer(s, customer_id)
            summary = customer_cards.summaries(s, [customer_id])[0]
            card = CustomerCard(
                id=c.id, display_name=summary.display_name, name_kana=summary.name_kana,
                date_of_birth=c.date_of_birth, language=c.language, segment=c.segment, vip=c.vip,
                national_id=mask_number(c.national_id) if c.national_id else None,
                phones=summary.phones, emails=summary.emails, accounts=summary.accounts,
                recent_contacts=branch_records.recent_contacts(s, customer_id),
                applications=branch_records.open_applications(s, customer_id),
                appointments=branch_records.upcoming_appointments(s, customer_id, now),
                complaints=branch_records.complaints(s, customer_id),
                verified_until=verification.valid_until(s, customer_id, actor.id, now))
            audit.append(s, at=now, actor=actor, action="view", entity="customer",
                         entity_id=customer_id, detail={"what": "card"})
        return card

    def verify_identity(self, actor: Principal, customer_id: int, *,
                        answers: Mapping[str, str] | None = None,
                        sighted_document: str | None = None) -> VerificationResult:
        """Records the identity checklist: 2 of 3 questions right, or a sighted ID document."""
        answers = dict(answers or {})
        verification.check_request(answers, sighted_document)
        now = self._clock.now()
        with self._db.write() as s:
            c = branch_records.customer(s, customer_id)
            correct = verification.correct_answers(s, c, answers, self._regions)
            ok = verification.passed(correct, sighted_document)
            method = "document" if sighted_document else "knowledge"
            facts: dict[str, Any] = {"method": method, "passed": ok, "asked": sorted(answers),
                                     "correct": correct, "document": sighted_document}
            s.add(IdentityVerification(customer_id=customer_id, agent_id=actor.id,
                                       workstation=actor.workstation, method=method, passed=ok,
                                       detail=facts, at=now, expires_at=now + self._valid_for))
            audit.append(s, at=now, actor=actor, action="verify", entity="customer",
                         entity_id=customer_id, detail=facts)
        return VerificationResult(customer_id, ok, method, correct,
                                  now + self._valid_for if ok else None)

    def unmask_account(self, actor: Principal, account_id: int) -> str:
        """The full account number, for a verified customer; the unmasking is audited."""
        now = self._clock.now()
        with self._db.write() as s:
            account = s.get(Account, account_id)
            if account is None:
                raise NotFound(f"There is no account {account_id}.")
            verification.require(s, account.customer_id, actor.id, now)
            audit.append(s, at=now, actor=actor, action="unmask", entity="customer",
                         entity_id=account.customer_id,
                         detail={"what": "account", "account_id": account_id, "last4": account.last4})
            return account.number

    def unmask_national_id(self, actor: Principal, customer_id: int) -> str:
        """The full national ID, for a verified customer; the unmasking is audited."""
        now = self._clock.now()
        with self._db.write() as s:
            c = branch_records.customer(s, customer_id)
            if not c.national_id:
                raise NotFound("No national ID is on file for this customer.")
            verification.require(s, customer_id, actor.id, now)
            audit.append(s, at=now, actor=actor, action="unmask", entity="customer",
                         entity_id=customer_id, detail={"what": "national_id"})
            return c.national_id

    def update_contact_details(self, actor: Principal, customer_id: int, *,
                               phones: Sequence[str] | None = None,
                               emails: Sequence[str] | None = None) -> ContactDetails:
        """Replaces phones and/or e-mails of a verified customer; old and new go to the audit."""
        new_phones = [self._one_phone(p) for p in phones] if phones is not None else None
        new_emails = [_check_email(e) for e in emails] if emails is not None else None
        now = self._clock.now()
        with self._db.write() as s:
            c = branch_records.customer(s, customer_id)
            verification.require(s, customer_id, actor.id, now)
            before = customer_cards.summaries(s, [customer_id])[0]
            diff = _replace_details(s, customer_id, before.phones, before.emails,
                                    new_phones, new_emails)
            if diff:
                c.updated_at, c.version = now, c.version + 1
                changes.record(s, "customer", customer_id)
                audit.append(s, at=now, actor=actor, action="change", entity="customer",
                             entity_id=customer_id, detail=diff)
            after = customer_cards.summaries(s, [customer_id])[0]
        return ContactDetails(customer_id, after.phones, after.emails)

    def _one_phone(self, raw: str) -> str:
        found = phones_module.to_e164(raw, self._regions) if len(raw) <= 40 else []
        if not found:
            raise ValidationError(f"'{raw[:40]}' is not a phone number we can read.")
        return found[0]

    def open_application(self, actor: Principal, customer_id: int, kind: str, *,
                         reference: str = "") -> ApplicationInfo:
        """Starts an application (account opening, loan...) in status "submitted"."""
        if kind not in APPLICATION_KINDS:
            raise ValidationError(f"Unknown application '{kind}'; use {', '.join(APPLICATION_KINDS)}.")
        ref = _text(reference, "reference", 32) if reference.strip() else ""
        now = self._clock.now()
        with self._db.write() as s:
            branch_records.customer(s, customer_id)
            row = Application(customer_id=customer_id, kind=kind, status="submitted",
                              reference=ref, opened_at=now, updated_at=now)
            s.add(row)
            s.flush()
            changes.record(s, "application", row.id, "insert")
            audit.append(s, at=now, actor=actor, action="change", entity="customer",
                         entity_id=customer_id, detail={"application": row.id, "kind": kind})
            return branch_records.application_info(row)

    def book_appointment(self, actor: Principal, customer_id: int, starts_at: datetime, *,
                         purpose: str, location: str = "", duration_min: int = 30) -> AppointmentInfo:
        """Books a visit or call back in the future."""
        purpose = _text(purpose, "purpose", 200)
        location = _text(location, "location", 80) if location.strip() else ""
        now = self._clock.now()
        if starts_at.tzinfo is None or starts_at <= now:
            raise ValidationError("An appointment needs a time (with time zone) in the future.")
        if not 5 <= duration_min <= 480:
            raise ValidationError("An appointment lasts 5 to 480 minutes.")
        with self._db.write() as s:
            branch_records.customer(s, customer_id)
            row = Appointment(customer_id=customer_id, starts_at=starts_at, duration_min=duration_min,
                              location=location, purpose=purpose, status="booked",
                              booked_by_id=actor.id, created_at=now)
            s.add(row)
            s.flush()
            changes.record(s, "appointment", row.id, "insert")
            audit.append(s, at=now, actor=actor, action="change", entity="customer",
                         entity_id=customer_id, detail={"appointment": row.id,
                                                        "starts_at": starts_at.isoformat()})
            return branch_records.appointment_info(row, actor.name)

    def record_complaint(self, actor: Principal, customer_id: int, summary: str, *,
                         detail: str = "") -> ComplaintInfo:
        """Records a complaint in status "open"."""
        summary = _text(summary, "summary", 200)
        detail = _text(detail, "detail", 4000, multiline=True) if detail.strip() else ""
        now = self._clock.now()
        with self._db.write() as s:
            branch_records.customer(s, customer_id)
            row = Complaint(customer_id=customer_id, summary=summary, detail=detail, status="open",
                            recorded_by_id=actor.id, created_at=now)
            s.add(row)
            s.flush()
            changes.record(s, "complaint", row.id, "insert")
            audit.append(s, at=now, actor=actor, action="change", entity="customer",
                         entity_id=customer_id, detail={"complaint": row.id, "status": "open"})
            return branch_records.complaints(s, complaint_id=row.id)[0]

    def escalate_complaint(self, actor: Principal, complaint_id: int, *, team: str | None = None,
                           supervisor: str | None = None) -> ComplaintInfo:
        """Hands a complaint to a named team or a supervisor (exactly one of them)."""
        if (team is None) == (supervisor is None):
            raise ValidationError("Escalate to a team or to a supervisor (one of them).")
        now = self._clock.now()
        with self._db.write() as s:
            row = s.get(Complaint, complaint_id)
            if row is None:
                raise NotFound(f"There is no complaint {complaint_id}.")
            row.escalated_team_id = _team_id(s, team) if team is not None else None
            row.escalated_to_id = _supervisor_id(s, supervisor) if supervisor is not None else None
            row.status, row.escalated_at = "escalated", now
            changes.record(s, "complaint", complaint_id)
            audit.append(s, at=now, actor=actor, action="change", entity="customer",
                         entity_id=row.customer_id, detail={"complaint": complaint_id,
                                                            "escalated_to": team or supervisor})
            return branch_records.complaints(s, complaint_id=complaint_id)[0]


def _lookup_rows(s: Session, ids: list[int]) -> list[LookupRow]:
    if not ids:
        return []
    born: dict[int, date | None] = dict(
        s.execute(select(Customer.id, Customer.date_of_birth).where(Customer.id.in_(ids))).all())
    return [LookupRow(c.id, c.display_name, c.name_kana, _year(born.get(c.id)),
                      c.phones[0][-4:] if c.phones else None)
            for c in customer_cards.summaries(s, ids)]


def _year(born: date | None) -> int | None:
    return born.year if born else None


def _replace_details(s: Session, customer_id: int, old_phones: tuple[str, ...],
                     old_emails: tuple[str, ...], phones: list[str] | None,
                     emails: list[str] | None) -> dict[str, Any]:
    diff: dict[str, Any] = {}
    if phones is not None and list(old_phones) != phones:
        s.execute(delete(CustomerPhone).where(CustomerPhone.customer_id == customer_id))
        if phones:
            s.execute(insert(CustomerPhone), [{"customer_id": customer_id, "e164": p} for p in phones])
        diff["phones"] = {"old": list(old_phones), "new": phones}
    if emails is not None and list(old_emails) != emails:
        s.execute(delete(CustomerEmail).where(CustomerEmail.customer_id == customer_id))
        if emails:
            s.execute(insert(CustomerEmail), [{"customer_id": customer_id, "email": e} for e in emails])
        diff["emails"] = {"old": list(old_emails), "new": emails}
    return diff


def _team_id(s: Session, name: str) -> int:
    found = s.execute(select(Team.id).where(Team.name == name.strip())).scalar()
    if found is None:
        raise NotFound(f"There is no team named '{name[:80]}'.")
    return int(found)


def _supervisor_id(s: Session, login: str) -> int:
    agent = s.execute(select(Agent).where(Agent.login == login.strip(), Agent.active)).scalar()
    if agent is None or agent.role not in ("supervisor", "admin"):
        raise NotFound(f"There is no supervisor with login '{login[:64]}'.")
    return agent.id
