"""Reading the parts of a branch customer card: applications, appointments, complaints.

Row builders turn ORM rows into the frozen dataclasses of branch_types; every
free text that could hold a typed number goes through ``mask_digit_runs``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from console.domain import TimelineEntry
from console.domain.branch import (
    OPEN_APPLICATION,
    ApplicationInfo,
    AppointmentInfo,
    ComplaintInfo,
)
from console.errors import NotFound
from console.masking import mask_digit_runs
from console.services import history
from console.store.models import Agent, Customer, Team
from console.store.models_security import Application, Appointment, Complaint

RECENT_CONTACTS = 10
_Recorder = aliased(Agent, name="recorder")
_Escalated = aliased(Agent, name="escalated")


def customer(s: Session, customer_id: int) -> Customer:
    found = s.get(Customer, customer_id)
    if found is None:
        raise NotFound(f"There is no customer {customer_id}.")
    return found


def recent_contacts(s: Session, customer_id: int) -> tuple[TimelineEntry, ...]:
    """The newest timeline entries (history masks numbers typed in messages)."""
    return history.page(s, customer_id, None, None, RECENT_CONTACTS).entries


def open_applications(s: Session, customer_id: int) -> tuple[ApplicationInfo, ...]:
    rows = s.execute(select(Application).where(Application.customer_id == customer_id,
                                               Application.status.in_(OPEN_APPLICATION))
                     .order_by(Application.opened_at.desc())).scalars()
    return tuple(application_info(a) for a in rows)


def application_info(a: Application) -> ApplicationInfo:
    return ApplicationInfo(a.id, a.kind, a.status, a.reference, a.opened_at)


def upcoming_appointments(s: Session, customer_id: int, now: datetime) -> tuple[AppointmentInfo, ...]:
    rows = s.execute(select(Appointment, Agent.name).join(Agent, Agent.id == Appointment.booked_by_id)
                     .where(Appointment.customer_id == customer_id, Appointment.status == "booked",
                            Appointment.starts_at >= now)
                     .order_by(Appointment.starts_at)).all()
    return tuple(appointment_info(a, booked_by) for a, booked_by in rows)


def appointment_info(a: Appointment, booked_by: str) -> AppointmentInfo:
    return AppointmentInfo(a.id, a.customer_id, a.starts_at, a.duration_min, a.location,
                           a.purpose, booked_by)


def complaints(s: Session, customer_id: int | None = None,
               complaint_id: int | None = None) -> tuple[ComplaintInfo, ...]:
    """Open and escalated complaints of a customer, or the one complaint asked for."""
    stmt = (select(Complaint, _Recorder.name, Team.name, _Escalated.name)
            .join(_Recorder, _Recorder.id == Complaint.recorded_by_id)
            .outerjoin(Team, Team.id == Complaint.escalated_team_id)
            .outerjoin(_Escalated, _Escalated.id == Complaint.escalated_to_id)
            .order_by(Complaint.created_at.desc()))
    if complaint_id is not None:
        stmt = stmt.where(Complaint.id == complaint_id)
    else:
        stmt = stmt.where(Complaint.customer_id == customer_id, Complaint.status != "closed")
    return tuple(ComplaintInfo(c.id, c.customer_id, mask_digit_runs(c.summary), c.status,
                               recorder, team, escalated, c.created_at)
                 for c, recorder, team, escalated in s.execute(stmt).all())
