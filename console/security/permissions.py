"""Who may call which service operation, and what each call writes to the audit log.

``PERMISSIONS`` maps "service.operation" (a field of console.app.Services and
a public method of it) to a Rule. An operation missing here is denied to
everybody, and tests/unit/test_permissions.py fails until it is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.domain import Role

A, S, B, M = Role.AGENT, Role.SUPERVISOR, Role.BRANCH, Role.ADMIN
G = Role.GATEWAY  # the channel gateway: only its own work below, never a person's
EVERYONE = frozenset(Role.of_people())  # every member of staff
NOBODY: frozenset[Role] = frozenset()
STAFF = frozenset({A, S, B})  # people who serve customers
LEADS = frozenset({S, M})
ADMIN_ONLY = frozenset({M})
GATEWAY_OR_ADMIN = frozenset({G, M})
BRANCH_DESK = frozenset({B, S})
# Roles that may act on behalf of another agent (``own`` arguments below).
ON_BEHALF = frozenset({S, M})


@dataclass(frozen=True, slots=True)
class Rule:
    """One operation's permission and audit.

    Attributes:
        roles: who may call it.
        audit: the audit action written after a successful call (view, search,
            change, export), or None when the operation audits itself or is not
            about a customer record. When ``own`` names somebody other than the
            caller, the entry records them as ``acting_for``.
        entity: the audit entry's entity.
        key: the argument naming the record (the audit entry's entity_id).
        actor: the parameter that takes the acting person (the caller passes
            its door's principal; any other person is refused), or None.
        own: an argument that must be the caller's own login unless the caller's
            role is in ON_BEHALF (an agent claims contacts for themself only).
        detail: arguments copied into the audit entry's detail.
    """

    roles: frozenset[Role]
    audit: str | None = None
    entity: str = ""
    key: str | None = None
    actor: str | None = None
    own: str | None = None
    detail: tuple[str, ...] = ()


def _view(roles: frozenset[Role], entity: str, key: str) -> Rule:
    return Rule(roles, audit="view", entity=entity, key=key)


def _mine(roles: frozenset[Role] = STAFF) -> Rule:
    return Rule(roles, own="agent_login")


_BRANCH_SELF_AUDITED = {op: Rule(BRANCH_DESK, actor="actor") for op in (
    "lookup", "card", "verify_identity", "unmask_account", "unmask_national_id",
    "update_contact_details", "open_application", "book_appointment")}

PERMISSIONS: dict[str, Rule] = {
    # Inbox: staff work contacts; an agent acts only as themself.
    "inbox.list": Rule(STAFF),  # the window's paging, on every scroll: not audited
    # A listing taken away (the command line): audited with its filter.
    "inbox.search": Rule(STAFF, audit="search", entity="contacts"),
    "inbox.get": Rule(STAFF),
    "inbox.get_many": Rule(STAFF),
    "inbox.detail": _view(STAFF, "contact", "contact_id"),
    # An attachment's bytes leave the database: a view of its contact, naming the file.
    "inbox.attachment": Rule(frozenset({A, S}), audit="view", entity="contact",
                             key="contact_id", detail=("attachment_id",)),
    # Delivery states of the agent's own replies (the window's "not delivered" notice).
    "inbox.reply_deliveries": _mine(),
    "inbox.dispositions": Rule(STAFF),
    "inbox.claim": Rule(STAFF, audit="change", entity="contact", key="contact_id",
                        own="agent_login"),
    "inbox.release": _mine(),
    "inbox.next_best": _mine(),
    "inbox.transfer": _mine(),
    "inbox.reply": _mine(),
    "inbox.add_note": _mine(),
    "inbox.resolve": _mine(),
    "inbox.set_status": _mine(),
    # "The agent is typing" on a chat: a change-log entry only, every few seconds; not audited.
    "inbox.typing": _mine(),
    # Customers: every search and view is audited.
    "customers.find": Rule(STAFF, audit="search", entity="customers"),
    "customers.get": _view(STAFF, "customer", "customer_id"),
    "customers.history": _view(STAFF, "customer", "customer_id"),
    "customers.create": Rule(STAFF, audit="change", entity="customer"),  # id: the new customer
    # Scripts and knowledge base.
    "templates.list": Rule(EVERYONE),
    # Fills in the contact's customer: a view, for the agent named (``own``).
    "templates.render": Rule(STAFF, audit="view", entity="contact", key="contact_id",
                             own="agent_login"),
    "templates.render_for_contact": Rule(STAFF),
    "templates.save": Rule(LEADS, audit="change", entity="template", key="name"),
    "kb.search": Rule(EVERYONE),
    "kb.get": Rule(EVERYONE),
    "kb.similar_titles": Rule(EVERYONE),
    "kb.upsert": Rule(LEADS, audit="change", entity="kb_article", key="slug"),
    "kb.import_path": Rule(LEADS, audit="change", entity="kb_article"),
    # Agents and their state.
    "agents.list": Rule(EVERYONE),
    "agents.get": Rule(EVERYONE),
    "agents.queues": Rule(EVERYONE),
    "agents.state": Rule(EVERYONE),
    "agents.set_state": Rule(STAFF, own="login"),
    "intake.create_contact": Rule(STAFF),
    # Set-up: admins only.
    "admin.create_queue": Rule(ADMIN_ONLY, audit="change", entity="queue", key="name"),
    "admin.create_agent": Rule(ADMIN_ONLY, audit="change", entity="agent", key="login"),
    "admin.add_disposition": Rule(ADMIN_ONLY, audit="change", entity="disposition", key="code"),
    "admin.accounts": Rule(ADMIN_ONLY),  # staff accounts, not customer records: no audit
    "admin.teams": Rule(ADMIN_ONLY),
    "admin.assign_agent": Rule(ADMIN_ONLY, audit="change", entity="agent", key="login"),
    # Audit log: supervisors and admins; exports are themselves audited.
    "audit.list": Rule(LEADS, audit="view", entity="audit"),
    "audit.export": Rule(LEADS, audit="export", entity="audit"),
    "audit.verify": Rule(LEADS),
    "audit.record_export": Rule(LEADS, audit="export", entity="report", key="what",
                                detail=("rows",)),
    # Sign-in: the service audits sign-ins itself.
    "auth.sign_in": Rule(EVERYONE),
    "auth.resume": Rule(EVERYONE),
    "auth.sign_out": Rule(EVERYONE, actor="principal"),
    # Command-line sessions (console.cli.person): opened, resumed and ended
    # through the Entrance, the service audits sign-in and sign-out itself.
    "auth.open_session": Rule(EVERYONE, actor="principal"),
    "auth.resume_session": Rule(EVERYONE),
    "auth.end_session": Rule(EVERYONE),
    "auth.set_password": Rule(ADMIN_ONLY, actor="actor"),
    "staff.set_role": Rule(ADMIN_ONLY, actor="actor"),
    "staff.unlock": Rule(frozenset({S, M}), actor="actor"),
    "staff.deactivate": Rule(ADMIN_ONLY, actor="actor"),
    # Only before anybody can sign in (the Entrance, on a database without an admin).
    "staff.create_first_admin": Rule(NOBODY),
    # Branch desk: the service writes its own audit entries, in the same transaction.
    **{f"branch.{op}": rule for op, rule in _BRANCH_SELF_AUDITED.items()},
    "branch.record_complaint": Rule(STAFF, actor="actor"),
    "branch.escalate_complaint": Rule(STAFF, actor="actor"),
    # SLA set-up (issue 5): leads read it, admins change it (queue settings: leads too).
    "sla.calendar": Rule(EVERYONE),
    "sla.policies": Rule(EVERYONE),
    "sla.create_calendar": Rule(ADMIN_ONLY, audit="change", entity="sla_calendar", key="name"),
    "sla.add_holidays": Rule(ADMIN_ONLY, audit="change", entity="sla_calendar"),
    "sla.remove_holiday": Rule(ADMIN_ONLY, audit="change", entity="sla_calendar"),
    "sla.import_public_holidays": Rule(ADMIN_ONLY, audit="change", entity="sla_calendar"),
    # Supervisors change a queue's priority from the wallboard.
    "sla.configure_queue": Rule(LEADS, audit="change", entity="queue"),
    "sla.set_policy": Rule(ADMIN_ONLY, audit="change", entity="sla_policy"),
    "sla.remove_policy": Rule(ADMIN_ONLY, audit="change", entity="sla_policy"),
    "sla.setup": Rule(LEADS),  # a read
    # Live monitoring (issue 5): supervisors watch; staff record surveys.
    "monitor.snapshot": Rule(LEADS),
    "monitor.day_start": Rule(LEADS),
    "monitor.service_level_series": Rule(LEADS),
    "monitor.waiting_series": Rule(LEADS),
    # Every agent's window announces breaches on its own contacts.
    "monitor.claim_breach_notice": Rule(STAFF | LEADS, own="agent_login"),
    "monitor.record_survey": Rule(STAFF),
    # Who else is on a contact (issue 4): staff announce themselves only.
    "presence.beat": _mine(),
    "presence.leave": _mine(),
    "presence.on_contact": Rule(STAFF),
    "presence.purge_expired": Rule(ADMIN_ONLY),
    # Channel accounts (issue 11): set-up, admins only; changes audited (entity "channel").
    # Passwords are never audit detail: only the account's name is recorded.
    "channels.add_email": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name"),
    "channels.add_messaging": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name",
                                   detail=("kind",)),
    "channels.list": Rule(GATEWAY_OR_ADMIN),  # set-up, not customer records: no audit
    "channels.show": Rule(GATEWAY_OR_ADMIN),
    "channels.enable": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name"),
    # What replies carry; the entry records the new values (None: unchanged), not the signature.
    "channels.update_settings": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name",
                                     detail=("from_name", "charset", "reopen_days")),
    "channels.disable": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name"),
    # Phone system (CTI) accounts (issue 12): where click-to-dial goes, agents' extensions.
    "channels.add_cti": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name"),
    "channels.set_originate": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name",
                                   detail=("originate_method",)),
    "channels.set_extension": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name",
                                   detail=("login", "extension")),
    "channels.remove": Rule(ADMIN_ONLY, audit="change", entity="channel", key="name"),
    # The gateway's own work: mailbox leases, intake and the delivery queue. It acts
    # through a door as the gateway principal (console.channels.gateway); no person at a
    # window needs these, admins may, to inspect and repair by hand. Intake is not
    # audited per message: the inbound_mail table is its record.
    "mail.take_in": Rule(frozenset({G})),
    "mail.take_in_many": Rule(frozenset({G})),
    "messaging.take_in": Rule(frozenset({G})),
    "messaging.knows": Rule(frozenset({G})),
    "messaging.outgoing": Rule(GATEWAY_OR_ADMIN),
    # Who wrote on a messaging contact, for the conversation's header. Not audited: it is
    # read with the contact on screen, whose look inbox.detail has just recorded, and
    # gives a phone number masked.
    "messaging.identity": Rule(STAFF),
    # An agent links a LINE/Messenger/SMS/chat sender to the right customer (or splits it off).
    "messaging.link_identity": Rule(STAFF, audit="change", entity="contact", key="contact_id",
                                    detail=("customer_id",)),
    "messaging.unlink_identity": Rule(STAFF, audit="change", entity="contact", key="contact_id"),
    # The web chat's visitors (issue 12), through the gateway's HTTP server only.
    **{f"webchat.{op}": Rule(frozenset({G})) for op in ("start", "send", "conversation")},
    # Webhook events (issue 12): stored by the gateway's HTTP server, processed after.
    **{f"events.{op}": Rule(GATEWAY_OR_ADMIN) for op in (
        "store", "claim", "finish", "retry_later", "counts")},
    # The phone system's events (issue 12), which the gateway's web server receives: the
    # gateway's alone (phone_calls is their record). Staff read calls: a contact's calls
    # show its caller's number (a view), and the window follows the calls it shows as
    # ringing or its agent's own (no numbers, like the inbox's paging: not audited).
    # Click-to-dial rings the agent's own extension only.
    "calls.apply": Rule(frozenset({G})),
    "calls.for_contact": _view(STAFF, "contact", "contact_id"),
    "calls.live": _mine(),
    "calls.dial": _mine(),
    "mail.outgoing": Rule(GATEWAY_OR_ADMIN),
    **{f"mailboxes.{op}": Rule(GATEWAY_OR_ADMIN) for op in (
        "acquire_lease", "renew_lease", "release_lease", "record_intake", "record_poll",
        "state")},
    **{f"deliveries.{op}": Rule(GATEWAY_OR_ADMIN) for op in (
        "claim_due", "release", "mark_sent", "mark_temporary_failure", "mark_permanent_failure",
        "retry_wait", "get", "for_message", "report_provider_status")},
}
