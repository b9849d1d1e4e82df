"""Branch lookup: search, masked card, identity checklist, unmasking, changes, bookings."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from console.clock import ManualClock
from console.domain import Channel, Role
from console.domain.audit import AuditFilter
from console.errors import NotFound, NotPermitted, ValidationError
from console.security.guard import authorize
from console.security.principal import Principal
from console.services.branch import BranchService
from console.store import changes
from console.store.db import Database
from console.store.models import Account, Customer
from tests.factories import World, small_world

CARD = "4111111111111111"
SAVINGS = "0012345678"
NATIONAL_ID = "123456789012"


@dataclass
class Desk:
    world: World
    branch: BranchService
    bea: Principal
    sara: Principal
    card_id: int


def _principal(world: World, login: str) -> Principal:
    a = world.services.agents.get(login)
    return Principal(a.id, a.login, a.name, a.role, "BR-TOKYO-1")


@pytest.fixture
def desk(db: Database, clock: ManualClock) -> Desk:
    world = small_world(db, clock)
    world.services.admin.create_agent("bea", "Bea Branch", role=Role.BRANCH, team="Branch Tokyo")
    with db.write() as s:
        s.execute(update(Customer).where(Customer.id == world.alice).values(
            date_of_birth=date(1984, 2, 29), national_id=NATIONAL_ID))
        s.execute(update(Customer).where(Customer.id == world.yamada).values(
            date_of_birth=date(1990, 7, 1)))
        s.add_all([Account(customer_id=world.alice, product="card", number=CARD, last4=CARD[-4:]),
                   Account(customer_id=world.alice, product="savings", number=SAVINGS,
                           last4=SAVINGS[-4:])])
    with db.read() as s:
        card_id = s.execute(select(Account.id).where(Account.number == CARD)).scalar_one()
    return Desk(world, world.services.branch, _principal(world, "bea"),
                _principal(world, "sara"), card_id)


def _verify(desk: Desk, who: Principal | None = None) -> None:
    result = desk.branch.verify_identity(who or desk.bea, desk.world.alice,
                                         answers={"date_of_birth": "1984-02-29",
                                                  "phone": "+1 (415) 555-2671"})
    assert result.passed and result.correct_answers == 2


@pytest.mark.parametrize(("query", "by"), [
    ("smith", "auto"), ("Alice Smith", "name"), ("+14155552671", "phone"),
    (CARD, "account"), ("1984-02-29", "auto"), ("1984/2/29", "dob")])
def test_lookup_finds_alice_every_way(desk: Desk, query: str, by: str) -> None:
    rows = desk.branch.lookup(desk.bea, query, by=by)
    assert [r.id for r in rows] == [desk.world.alice]
    assert (rows[0].birth_year, rows[0].phone_hint) == (1984, "2671")


@pytest.mark.parametrize("query", ["山田", "やまだ", "ヤマダ タロウ", "ﾔﾏﾀﾞ"])
def test_lookup_by_kanji_and_kana(desk: Desk, query: str) -> None:
    assert [r.id for r in desk.branch.lookup(desk.bea, query)] == [desk.world.yamada]


def test_lookup_shows_minimum_and_is_audited(desk: Desk) -> None:
    row = desk.branch.lookup(desk.bea, CARD, by="account")[0]
    assert CARD not in json.dumps(row.__repr__()) and not hasattr(row, "accounts")
    entry = desk.world.services.audit.list(AuditFilter(person="bea"))[-1]
    assert entry.action == "search" and entry.detail == {
        "by": "account", "query": "************1111", "results": 1}


def test_lookup_rejects_nonsense(desk: Desk) -> None:
    with pytest.raises(ValidationError, match="not a date"):
        desk.branch.lookup(desk.bea, "1984-13-45")
    with pytest.raises(ValidationError, match="Unknown search kind"):
        desk.branch.lookup(desk.bea, "x", by="sql")


def test_card_masks_every_identifier_and_is_audited(desk: Desk, clock: ManualClock) -> None:
    clock.advance(60)
    desk.world.services.intake.create_contact(Channel.CHAT, "Cards", "Stolen card",
                                              f"my card {CARD} was stolen",
                                              customer_id=desk.world.alice)
    card = desk.branch.card(desk.bea, desk.world.alice)
    text = repr(card)
    assert CARD not in text and NATIONAL_ID not in text and SAVINGS not in text
    assert card.national_id == "********9012" and card.verified_until is None
    assert {a.masked_number for a in card.accounts} == {"************1111", "******5678"}
    assert card.recent_contacts[0].text == "my card ************1111 was stolen"
    entry = desk.world.services.audit.list(AuditFilter(customer_id=desk.world.alice))[-1]
    assert (entry.action, entry.actor_login, entry.workstation) == ("view", "bea", "BR-TOKYO-1")


def test_unmask_needs_a_passed_checklist_by_the_same_person(desk: Desk, clock: ManualClock) -> None:
    with pytest.raises(NotPermitted, match="Verify the customer's identity first"):
        desk.branch.unmask_account(desk.bea, desk.card_id)
    one = desk.branch.verify_identity(desk.bea, desk.world.alice,
                                      answers={"date_of_birth": "1984-02-29", "email": "x@y.z"})
    assert not one.passed and one.correct_answers == 1
    with pytest.raises(NotPermitted):
        desk.branch.unmask_national_id(desk.bea, desk.world.alice)
    _verify(desk)
    assert desk.branch.unmask_account(desk.bea, desk.card_id) == CARD
    assert desk.branch.unmask_national_id(desk.bea, desk.world.alice) == NATIONAL_ID
    with pytest.raises(NotPermitted):
        desk.branch.unmask_account(desk.sara, desk.card_id)  # sara did not verify
    clock.advance(timedelta(minutes=16))
    with pytest.raises(NotPermitted):
        desk.branch.unmask_account(desk.bea, desk.card_id)


def test_a_sighted_document_verifies(desk: Desk) -> None:
    result = desk.branch.verify_identity(desk.bea, desk.world.alice, sighted_document="passport")
    assert result.passed and result.method == "document"
    assert desk.branch.card(desk.bea, desk.world.alice).verified_until == result.valid_until
    with pytest.raises(ValidationError, match="not an ID document"):
        desk.branch.verify_identity(desk.bea, desk.world.alice, sighted_document="library card")


def test_unmasking_is_audited_without_the_number(desk: Desk) -> None:
    _verify(desk)
    desk.branch.unmask_account(desk.bea, desk.card_id)
    entries = desk.world.services.audit.list(AuditFilter(customer_id=desk.world.alice))
    assert [e.action for e in entries] == ["verify", "unmask"]
    assert entries[1].detail == {"what": "account", "account_id": desk.card_id, "last4": "1111"}
    assert "1984" not in json.dumps(entries[0].detail)  # answers are compared, never stored
    assert CARD not in desk.world.services.audit.export()


def test_contact_change_records_old_and_new(desk: Desk, db: Database) -> None:
    with pytest.raises(NotPermitted):
        desk.branch.update_contact_details(desk.bea, desk.world.alice, emails=["new@example.com"])
    _verify(desk)
    with db.read() as s:
        seq = changes.last_seq(s)
    details = desk.branch.update_contact_details(desk.bea, desk.world.alice,
                                                 phones=["+44 20 7946 0958"],
                                                 emails=["New@Example.com"])
    assert details.phones == ("+442079460958",) and details.emails == ("new@example.com",)
    entry = desk.world.services.audit.list(AuditFilter(customer_id=desk.world.alice))[-1]
    assert entry.action == "change" and entry.detail == {
        "phones": {"old": ["+14155552671"], "new": ["+442079460958"]},
        "emails": {"old": ["alice.smith@example.com"], "new": ["new@example.com"]}}
    with db.read() as s:
        assert ("customer", str(desk.world.alice)) in {
            (c.entity, c.entity_id) for c in changes.since(s, seq)}
    with pytest.raises(ValidationError):
        desk.branch.update_contact_details(desk.bea, desk.world.alice, phones=["not a phone"])


def test_appointments_applications_and_complaints_show_on_the_card(desk: Desk,
                                                                    clock: ManualClock) -> None:
    alice = desk.world.alice
    with pytest.raises(ValidationError, match="future"):
        desk.branch.book_appointment(desk.bea, alice, clock.now(), purpose="Loan talk")
    booked = desk.branch.book_appointment(desk.bea, alice, clock.now() + timedelta(days=2),
                                          purpose="Mortgage advice", location="Shibuya")
    app = desk.branch.open_application(desk.bea, alice, "loan", reference="LN-1")
    complaint = desk.branch.record_complaint(desk.bea, alice, "Card fee charged twice")
    card = desk.branch.card(desk.bea, alice)
    assert [a.id for a in card.appointments] == [booked.id] and booked.booked_by == "Bea Branch"
    assert [(a.id, a.status) for a in card.applications] == [(app.id, "submitted")]
    assert [(c.id, c.status) for c in card.complaints] == [(complaint.id, "open")]
    clock.advance(timedelta(days=3))
    assert desk.branch.card(desk.bea, alice).appointments == ()


def test_escalate_to_a_team_or_a_supervisor(desk: Desk) -> None:
    complaint = desk.branch.record_complaint(desk.bea, desk.world.alice, "Rude on the phone",
                                             detail="Line 1\nLine 2")
    to_team = desk.branch.escalate_complaint(desk.bea, complaint.id, team="Tokyo A")
    assert (to_team.status, to_team.escalated_team) == ("escalated", "Tokyo A")
    to_sara = desk.branch.escalate_complaint(desk.bea, complaint.id, supervisor="sara")
    assert to_sara.escalated_to == "Sara Lind"
    with pytest.raises(NotFound, match="no supervisor"):
        desk.branch.escalate_complaint(desk.bea, complaint.id, supervisor="emma")
    with pytest.raises(NotFound, match="no team"):
        desk.branch.escalate_complaint(desk.bea, complaint.id, team="Nobody")
    with pytest.raises(ValidationError, match="one of them"):
        desk.branch.escalate_complaint(desk.bea, complaint.id, team="Tokyo A", supervisor="sara")


def test_through_the_door_the_principal_passes_itself(desk: Desk) -> None:
    bea = authorize(desk.world.services, desk.bea)
    assert [r.id for r in bea.branch.lookup(desk.bea, "smith")] == [desk.world.alice]
    assert bea.branch.card(desk.bea, desk.world.alice).id == desk.world.alice
    with pytest.raises(NotPermitted, match="only as themself"):
        bea.branch.card(desk.sara, desk.world.alice)  # a door acts for its own person only
    emma = authorize(desk.world.services, _principal(desk.world, "emma"))
    with pytest.raises(NotPermitted, match=r"agent may not use 'branch\.unmask_account'"):
        emma.branch.unmask_account(emma.principal, desk.card_id)
    complaint = emma.branch.record_complaint(emma.principal, desk.world.alice, "Long wait")
    assert complaint.recorded_by == "Emma Clarke"


def test_a_cli_session_never_shows_a_full_number(desk: Desk, db: Database, db_url: str,
                                                 clock: ManualClock,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from console.cli.main import _log_path, main

    clock.advance(60)
    desk.world.services.intake.create_contact(Channel.CHAT, "Cards", "Card stolen",
                                              f"card {CARD} and ID {NATIONAL_ID}",
                                              customer_id=desk.world.alice)
    password = "counter password 1"
    seen: list[str] = []

    def run(*args: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        seen.extend([out, err])
        return code

    for person in ("bea", "sara"):  # the audit log is for supervisors
        desk.world.services.auth.set_password(person, password)
    login, lead = ("--user", "bea", "--password-stdin"), ("--user", "sara", "--password-stdin")
    assert run("branch", "lookup", CARD, "--by", "account", *login) == 0
    assert run("branch", "lookup", "1984-02-29", "--json", *login) == 0
    assert run("branch", "card", str(desk.world.alice), *login) == 0
    assert run("branch", "card", str(desk.world.alice), "--json", *login) == 0
    assert run("branch", "card", "99999", *login) != 0
    assert run("customers", "find", CARD, "--json", *login) == 0
    assert run("customers", "find", SAVINGS, *login) == 0
    assert run("history", str(desk.world.alice), *login) == 0
    assert run("history", str(desk.world.alice), "--json", *login) == 0
    assert run("audit", "list", "--json", *lead) == 0
    assert run("audit", "export", "--csv", *lead) == 0
    assert run("audit", "verify", *lead) == 0
    assert run("inbox", "--json", *login) == 0
    text = "\n".join(seen) + _log_path().read_text(encoding="utf-8")
    assert "Alice Smith" in text and "********1111" in text
    for number in (CARD, SAVINGS, NATIONAL_ID, password):
        assert number not in text
