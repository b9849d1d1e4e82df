"""Roles are enforced by the service facade: every operation × every role, plus audit."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from pathlib import Path

import pytest
from sqlalchemy import text

from console.app import Services, build_services
from console.clock import ManualClock
from console.config import Settings
from console.domain import Role
from console.domain.audit import AuditFilter
from console.errors import NotPermitted
from console.security import guard as guard_module
from console.security.guard import authorize
from console.security.permissions import PERMISSIONS
from console.security.principal import Principal
from console.services.inbox_query import InboxFilter
from console.store.db import Database
from tests.conftest import T0
from tests.factories import World, small_world

# The agreed matrix, written out independently of console.security.permissions:
# a = agent, s = supervisor, b = branch, m = admin, g = the channel gateway.
EXPECTED = {
    "inbox.list": "asb", "inbox.search": "asb", "inbox.get": "asb", "inbox.get_many": "asb",
    "inbox.detail": "asb", "inbox.attachment": "as", "inbox.reply_deliveries": "asb",
    "inbox.dispositions": "asb", "inbox.claim": "asb", "inbox.release": "asb",
    "inbox.next_best": "asb", "inbox.transfer": "asb", "inbox.reply": "asb",
    "inbox.add_note": "asb", "inbox.resolve": "asb", "inbox.set_status": "asb",
    "inbox.typing": "asb",
    "customers.find": "asb", "customers.get": "asb", "customers.history": "asb",
    "customers.create": "asb",
    "templates.list": "asbm", "templates.render": "asb", "templates.render_for_contact": "asb",
    "templates.save": "sm",
    "kb.search": "asbm", "kb.get": "asbm", "kb.similar_titles": "asbm", "kb.upsert": "sm",
    "kb.import_path": "sm",
    "agents.list": "asbm", "agents.get": "asbm", "agents.queues": "asbm", "agents.state": "asbm",
    "agents.set_state": "asb", "intake.create_contact": "asb",
    "admin.create_queue": "m", "admin.create_agent": "m", "admin.add_disposition": "m",
    "admin.accounts": "m", "admin.teams": "m", "admin.assign_agent": "m",
    "audit.list": "sm", "audit.export": "sm", "audit.verify": "sm",
    "audit.record_export": "sm",
    "auth.sign_in": "asbm", "auth.resume": "asbm", "auth.sign_out": "asbm",
    "auth.open_session": "asbm", "auth.resume_session": "asbm", "auth.end_session": "asbm",
    "auth.set_password": "m",
    "staff.set_role": "m", "staff.unlock": "sm", "staff.deactivate": "m",
    "staff.create_first_admin": "",  # nobody through a door: the Entrance, on a new database
    "branch.lookup": "sb", "branch.card": "sb", "branch.verify_identity": "sb",
    "branch.unmask_account": "sb", "branch.unmask_national_id": "sb",
    "branch.update_contact_details": "sb", "branch.open_application": "sb",
    "branch.book_appointment": "sb", "branch.record_complaint": "asb",
    "branch.escalate_complaint": "asb",
    "sla.calendar": "asbm", "sla.policies": "asbm", "sla.create_calendar": "m",
    "sla.add_holidays": "m", "sla.remove_holiday": "m", "sla.import_public_holidays": "m",
    "sla.configure_queue": "sm", "sla.set_policy": "m", "sla.remove_policy": "m", "sla.setup": "sm",
    "monitor.snapshot": "sm", "monitor.day_start": "sm", "monitor.service_level_series": "sm",
    "monitor.waiting_series": "sm", "monitor.claim_breach_notice": "asbm",
    "monitor.record_survey": "asb",
    "presence.beat": "asb", "presence.leave": "asb", "presence.on_contact": "asb",
    "presence.purge_expired": "m",
    "channels.add_email": "m", "channels.list": "gm", "channels.show": "gm",
    "channels.enable": "m", "channels.disable": "m", "channels.remove": "m",
    "channels.update_settings": "m", "channels.add_messaging": "m",
    "channels.add_cti": "m", "channels.set_originate": "m", "channels.set_extension": "m",
    "mailboxes.acquire_lease": "gm", "mailboxes.renew_lease": "gm",
    "mailboxes.release_lease": "gm", "mailboxes.record_intake": "gm",
    "mailboxes.record_poll": "gm", "mailboxes.state": "gm",
    "deliveries.claim_due": "gm", "deliveries.release": "gm", "deliveries.mark_sent": "gm",
    "deliveries.mark_temporary_failure": "gm", "deliveries.mark_permanent_failure": "gm",
    "deliveries.retry_wait": "gm", "deliveries.get": "gm", "deliveries.for_message": "gm",
    "mail.take_in": "g", "mail.take_in_many": "g", "mail.outgoing": "gm",
    "deliveries.report_provider_status": "gm",
    "messaging.take_in": "g", "messaging.link_identity": "asb",
    "messaging.knows": "g", "messaging.outgoing": "gm",
    "messaging.unlink_identity": "asb", "messaging.identity": "asb",
    "webchat.start": "g", "webchat.send": "g", "webchat.conversation": "g",
    "events.store": "gm", "events.claim": "gm", "events.finish": "gm",
    "events.retry_later": "gm", "events.counts": "gm",
    "calls.apply": "g", "calls.for_contact": "asb", "calls.live": "asb", "calls.dial": "asb",
}
LETTER = {Role.AGENT: "a", Role.SUPERVISOR: "s", Role.BRANCH: "b", Role.ADMIN: "m",
          Role.GATEWAY: "g"}
NOT_SERVICES = {"db", "clock", "settings"}


def service_operations() -> list[str]:
    """Every public method of every service in console.app.Services."""
    hints = typing.get_type_hints(Services)
    return sorted(
        f"{field.name}.{name}"
        for field in dataclasses.fields(Services) if field.name not in NOT_SERVICES
        for name, _ in inspect.getmembers(hints[field.name], inspect.isfunction)
        if not name.startswith("_"))


OPERATIONS = service_operations()


def test_every_service_operation_has_a_rule_and_an_expectation() -> None:
    assert [op for op in OPERATIONS if op not in PERMISSIONS] == []
    assert [op for op in OPERATIONS if op not in EXPECTED] == []
    assert sorted(set(PERMISSIONS) - set(OPERATIONS)) == []


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> typing.Iterator[Services]:
    path: Path = tmp_path_factory.mktemp("perm") / "unused.db"
    sv = build_services(Database(f"sqlite:///{path}"), ManualClock(T0), Settings())
    yield sv
    sv.close()


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_is_allowed_exactly_for_its_roles(services: Services, operation: str,
                                                   role: Role) -> None:
    guarded = authorize(services, Principal(1, "someone", "Someone", role, "WS-01"))
    namespace, op = operation.split(".")
    if LETTER[role] in EXPECTED.get(operation, ""):
        assert callable(getattr(getattr(guarded, namespace), op))
    else:
        with pytest.raises(NotPermitted, match=f"signed in as {role.value} may not"):
            getattr(getattr(guarded, namespace), op)()  # checked before the arguments


def test_raw_handles_are_not_exposed(services: Services) -> None:
    guarded = authorize(services, Principal(1, "m", "M", Role.ADMIN))
    for name in ("db", "settings"):
        with pytest.raises(AttributeError):
            getattr(guarded, name).__class__  # noqa: B018
    with pytest.raises(AttributeError):
        guarded.customers._db  # noqa: B018
    assert guarded.clock is services.clock  # "now" is no secret: timers need it


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    w = small_world(db, clock)
    w.services.admin.create_agent("bea", "Bea Branch", role=Role.BRANCH)
    w.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    return w


def _as(world: World, login: str) -> typing.Any:
    a = world.services.agents.get(login)
    return authorize(world.services, Principal(a.id, a.login, a.name, a.role, "WS-01"))


def test_searches_and_views_are_audited_with_masked_queries(world: World) -> None:
    emma = _as(world, "emma")
    assert [c.id for c in emma.customers.find("smith")] == [world.alice]
    emma.customers.find("1234 5678 9012")
    emma.customers.get(world.alice)
    emma.customers.history(world.yamada)
    entries = world.services.audit.list(AuditFilter(person="emma"))
    assert [(e.action, e.entity, e.entity_id) for e in entries] == [
        ("search", "customers", "-"), ("search", "customers", "-"),
        ("view", "customer", str(world.alice)), ("view", "customer", str(world.yamada))]
    assert entries[0].detail["results"] == 1
    assert entries[1].detail["query"] == "********9012"


def test_an_agent_acts_only_as_themself(world: World) -> None:
    contact = world.contacts[0].id
    with pytest.raises(NotPermitted, match="only as themself"):
        _as(world, "emma").inbox.claim(contact, "kenji")
    assert world.services.inbox.get(contact).assignee_login is None
    assert _as(world, "emma").inbox.claim(contact, "emma").value.assignee_login == "emma"
    assert _as(world, "sara").inbox.release(contact, "emma").value.assignee_login is None


def test_acting_for_another_agent_is_audited_as_such(world: World) -> None:
    mine, theirs = world.contacts[0].id, world.contacts[2].id
    _as(world, "emma").inbox.claim(mine, "emma")
    _as(world, "sara").inbox.claim(theirs, "kenji")
    entries = world.services.audit.list()[-2:]
    assert [(e.actor_login, e.action, e.entity, e.entity_id) for e in entries] == [
        ("emma", "change", "contact", str(mine)), ("sara", "change", "contact", str(theirs))]
    assert "acting_for" not in entries[0].detail and entries[1].detail["acting_for"] == "kenji"


def test_an_inbox_search_is_audited_with_its_filter_but_paging_is_not(world: World,
                                                                      db: Database) -> None:
    emma = _as(world, "emma")
    rows = emma.inbox.search(InboxFilter(queues=("Cards",), assignee="kenji 0901234567"))
    assert rows == []
    rows = emma.inbox.search(InboxFilter(queues=("Cards",)), limit=10)
    assert [r.subject for r in rows] == ["Lost card", "Card limit"]
    first, last = world.services.audit.list()[-2:]
    assert (last.action, last.entity, last.detail["results"]) == ("search", "contacts", 2)
    assert last.detail["filter"]["queues"] == ["Cards"]
    assert first.detail["filter"]["assignee"] == "kenji ******4567"  # a typed number is masked
    entries = _audit_count(db)
    emma.inbox.list(InboxFilter(queues=("Cards",)))  # the window's paging, on every scroll
    assert _audit_count(db) == entries


def test_denied_calls_change_nothing_and_leave_no_trace(world: World) -> None:
    before = world.services.audit.list()
    with pytest.raises(NotPermitted):
        _as(world, "emma").audit.export()
    with pytest.raises(NotPermitted):
        _as(world, "emma").admin.create_agent("mallory", "Mallory", role=Role.ADMIN)
    assert [a.login for a in world.services.agents.list()].count("mallory") == 0
    assert world.services.audit.list() == before


def test_audit_reading_is_itself_audited(world: World) -> None:
    sara = _as(world, "sara")
    sara.audit.list(AuditFilter(person="emma"))
    sara.audit.export(fmt="csv")
    actions = [e.action for e in world.services.audit.list(AuditFilter(person="sara"))]
    assert actions == ["view", "export"]


def test_admin_sets_passwords_and_is_named_in_the_audit(world: World) -> None:
    root = _as(world, "root")
    with pytest.raises(NotPermitted, match="only as themself"):  # nobody else's name
        root.auth.set_password("emma", "a long enough secret", actor=None)
    root.auth.set_password("emma", "a long enough secret", actor=root.principal)
    last = world.services.audit.list()[-1]
    assert (last.action, last.actor_login, last.detail["field"]) == ("change", "root", "password")


class AuditBroke(RuntimeError):
    """Stands for the audit insert failing (disk full, a constraint, a bug)."""


def _failing_append(*_args: object, **_kwargs: object) -> None:
    raise AuditBroke("the audit insert failed")


def test_an_action_whose_audit_entry_fails_does_not_happen(world: World, db: Database,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    admin = _as(world, "root")
    entries = _audit_count(db)
    monkeypatch.setattr(guard_module.audit, "append", _failing_append)
    with pytest.raises(AuditBroke):
        admin.admin.create_queue("Complaints")
    monkeypatch.undo()
    assert "Complaints" not in {q.name for q in world.services.agents.queues()}
    assert _audit_count(db) == entries
    admin.admin.create_queue("Complaints")  # with a working audit log it goes through, audited
    assert "Complaints" in {q.name for q in world.services.agents.queues()}
    assert _audit_count(db) == entries + 1


def test_a_view_and_its_audit_entry_commit_in_one_transaction(world: World, db: Database,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    emma = _as(world, "emma")
    seen: list[bool] = []

    def history(*args: object, **kwargs: object) -> object:
        seen.append(db.in_unit_of_work)  # the service runs inside the door's unit of work
        return real(*args, **kwargs)

    real = world.services.customers.history
    monkeypatch.setattr(world.services.customers, "history", history)
    emma.customers.history(world.alice)
    assert seen == [True]
    assert not db.in_unit_of_work


def _audit_count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(text("SELECT COUNT(*) FROM audit_events")).scalar() or 0)


def test_the_door_types_every_service() -> None:
    """mypy sees a Door's services through its TYPE_CHECKING list: a new service must join it."""
    import ast

    from console.security import guard

    tree = ast.parse(Path(guard.__file__).read_text(encoding="utf-8"))
    door = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Door")
    typed = {stmt.target.id for node in door.body
             if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
             and node.test.id == "TYPE_CHECKING"
             for stmt in node.body
             if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)}
    services = {f.name for f in dataclasses.fields(Services)} - {"db", "clock", "settings"}
    assert typed == services
