"""Wiring: one place that builds the database handle and the services from settings.

The UI, the CLI and the tests call ``open_services``; nothing else holds
global state, so two workstations (or two tests) can live in one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from console.channels.secrets import SecretStore
from console.clock import Clock, SystemClock
from console.config import Settings, load_settings, resolve_url, with_keyring_password
from console.services.admin import AdminService
from console.services.agents import AgentService
from console.services.audit import AuditService
from console.services.auth import AuthService
from console.services.branch import BranchService
from console.services.calls import CallService
from console.services.channels import ChannelService
from console.services.customers import CustomerService
from console.services.deliveries import DeliveryQueue
from console.services.events import EventStore
from console.services.inbox import InboxService
from console.services.intake import IntakeService
from console.services.kb import KbService
from console.services.mail import MailService
from console.services.mailboxes import MailboxLeases
from console.services.messaging import MessagingService
from console.services.monitor import MonitorService
from console.services.presence import PresenceService
from console.services.sla import SlaService
from console.services.staff import StaffService
from console.services.templates import TemplateService
from console.services.webchat import WebchatService
from console.store.db import Database
from console.store.migrate import ensure_schema

if TYPE_CHECKING:
    from console.security.guard import Entrance


@dataclass
class Services:
    """Everything a front end talks to, sharing one database and one clock."""

    db: Database
    clock: Clock
    settings: Settings
    inbox: InboxService
    customers: CustomerService
    templates: TemplateService
    agents: AgentService
    admin: AdminService
    audit: AuditService
    auth: AuthService
    branch: BranchService
    staff: StaffService
    intake: IntakeService
    kb: KbService
    presence: PresenceService
    sla: SlaService
    monitor: MonitorService
    channels: ChannelService
    mailboxes: MailboxLeases
    deliveries: DeliveryQueue
    mail: MailService
    events: EventStore
    messaging: MessagingService
    calls: CallService
    webchat: WebchatService

    def close(self) -> None:
        self.db.dispose()


def build_services(db: Database, clock: Clock, settings: Settings,
                   secret_store: SecretStore | None = None) -> Services:
    leases = MailboxLeases(db, clock)
    messaging = MessagingService(db, clock)
    return Services(
        db=db,
        clock=clock,
        settings=settings,
        inbox=InboxService(db, clock, settings.phone_regions),
        customers=CustomerService(db, clock, settings.phone_regions),
        templates=TemplateService(db, clock, settings.timezone),
        agents=AgentService(db, clock),
        admin=AdminService(db, clock),
        audit=AuditService(db, clock),
        auth=AuthService(db, clock),
        branch=BranchService(db, clock, settings.phone_regions),
        staff=StaffService(db, clock),
        intake=IntakeService(db, clock),
        kb=KbService(db, clock),
        presence=PresenceService(db, clock),
        sla=SlaService(db, clock),
        monitor=MonitorService(db, clock, settings.timezone),
        channels=ChannelService(db, clock, secret_store or SecretStore()),
        mailboxes=leases,
        deliveries=DeliveryQueue(db, clock),
        mail=MailService(db, clock, leases),
        events=EventStore(db, clock),
        messaging=messaging,
        webchat=WebchatService(db, clock, messaging),
        calls=CallService(db, clock, settings.phone_regions),
    )


def open_entrance(url: str | None = None, *, clock: Clock | None = None,
                  settings: Settings | None = None) -> Entrance:
    """What a front end opens: the configured database behind a sign-in (console.security.guard).

    Args: as for ``open_services``.
    """
    from console.security.guard import Entrance

    return Entrance(open_services(url, clock=clock, settings=settings))


def open_services(url: str | None = None, *, clock: Clock | None = None,
                  settings: Settings | None = None, migrate: bool = True) -> Services:
    """Opens the configured database (creating and migrating it on first use).

    Args:
        url: overrides the configured database (the ``--db`` option).
        clock: defaults to the system clock.
        settings: defaults to the user's config file.
        migrate: upgrade the schema when it is older than this code.
    """
    settings = settings or load_settings()
    db = Database(with_keyring_password(resolve_url(url, settings)))
    try:
        if migrate:
            ensure_schema(db)
    except Exception:
        db.dispose()
        raise
    return build_services(db, clock or SystemClock(), settings)
