"""Customers: find by phone, e-mail, account number or name; and create.

Name search is a prefix search on normalised keys (console.text), each key
read in index order with its own LIMIT, so a one-letter prefix is as cheap as
a full name even with a million customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from console import phones, text
from console.clock import Clock
from console.domain import Channel, CustomerSummary, TimelinePage
from console.errors import NotFound, ValidationError
from console.masking import digits
from console.services import customer_cards, history
from console.store import changes
from console.store.db import Database
from console.store.models import Account, Customer, CustomerEmail, CustomerPhone

MAX_QUERY = 200
FIND_KINDS = ("auto", "phone", "email", "account", "name")


def _owner_by_value(column: Any) -> Select[Any]:
    owner = column.class_.customer_id
    return (select(owner).where(column.in_(bindparam("values", expanding=True)))
            .order_by(owner).limit(bindparam("limit")))


def _id_by_prefix(column: Any) -> Select[Any]:
    """``key >= low AND key < high``: an index range scan on every backend."""
    return (select(Customer.id).where(column >= bindparam("low"), column < bindparam("high"))
            .order_by(column, Customer.id).limit(bindparam("limit")))


# Statements built once, at import: building them per search cost more than
# running them (see tools/bench.py).
_BY_VALUE = {c.key: _owner_by_value(c)
             for c in (CustomerEmail.email, CustomerPhone.e164, Account.number)}
_BY_PREFIX = {c.key: _id_by_prefix(c) for c in (Customer.name_key, Customer.name_key_rev,
                                                 Customer.kana_key, Customer.kanji_key)}


@dataclass(frozen=True)
class NewCustomer:
    given_name: str
    family_name: str
    given_name_kanji: str | None = None
    family_name_kanji: str | None = None
    given_name_kana: str | None = None
    family_name_kana: str | None = None
    language: str = "en"
    segment: str = "retail"
    vip: bool = False
    date_of_birth: date | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


def name_keys(given: str, family: str, given_kanji: str | None, family_kanji: str | None,
              given_kana: str | None, family_kana: str | None) -> dict[str, str | None]:
    """The search-key columns for a customer's names (also used by bulk loaders)."""
    return {
        "name_key": text.latin_name_key(family, given),
        "name_key_rev": text.latin_name_key(given, family),
        "kana_key": text.kana_key(family_kana, given_kana),
        "kanji_key": text.kanji_key(family_kanji, given_kanji),
    }


def clean_query(query: str) -> str:
    """Trims a search box's text; rejects what no search could mean."""
    cleaned = " ".join(query.split())
    if not cleaned:
        raise ValidationError("Type something to search for.")
    if len(cleaned) > MAX_QUERY:
        raise ValidationError(f"The search is {len(cleaned)} characters; keep it under {MAX_QUERY}.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise ValidationError("The search contains control characters.")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in cleaned):  # lone surrogates: not encodable
        raise ValidationError("The search contains characters that are not text.")
    return cleaned


class CustomerService:
    """Finding customers and reading their history.

    Args:
        db: the database.
        clock: where "now" comes from.
        phone_regions: regions tried for numbers typed without a country code.
    """

    def __init__(self, db: Database, clock: Clock,
                 phone_regions: tuple[str, ...] = ("JP", "US", "GB")) -> None:
        self._db = db
        self._clock = clock
        self._regions = phone_regions

    def find(self, query: str, *, by: str = "auto", limit: int = 20) -> list[CustomerSummary]:
        """Customers matching ``query``, best matches first.

        Args:
            query: a phone number in any common format, an e-mail, an account
                number, or the start of a name (Latin, kanji or kana).
            by: one of FIND_KINDS; "auto" decides from the text.
            limit: at most this many results.
        """
        if by not in FIND_KINDS:
            raise ValidationError(f"Unknown search kind '{by}'; use one of {', '.join(FIND_KINDS)}.")
        q = clean_query(query)
        with self._db.read() as s:
            ids = self._find_ids(s, q, by, limit)
            return customer_cards.summaries(s, ids)

    def _find_ids(self, s: Session, q: str, by: str, limit: int) -> list[int]:
        if by == "email" or (by == "auto" and "@" in q):
            return self._by_column(s, CustomerEmail.email, [q.casefold()], limit)
        if by == "phone":
            return self._by_column(s, CustomerPhone.e164, phones.to_e164(q, self._regions), limit)
        if by == "account":
            return self._by_account(s, q, limit)
        if by == "auto" and phones.looks_like_phone(q):
            found = self._by_account(s, q, limit)
            found += self._by_column(s, CustomerPhone.e164, phones.to_e164(q, self._regions),
                                     limit)
            return list(dict.fromkeys(found))[:limit]
        return self._by_name(s, q, limit)

    def _by_account(self, s: Session, q: str, limit: int) -> list[int]:
        number = digits(text.fold(q))
        return self._by_column(s, Account.number, [number] if number else [], limit)

    def _by_column(self, s: Session, column: InstrumentedAttribute[str], values: list[str],
                   limit: int) -> list[int]:
        if not values:
            return []
        rows = s.connection().execute(_BY_VALUE[column.key], {"values": values, "limit": limit})
        return list(dict.fromkeys(rows.scalars()))

    def _by_name(self, s: Session, q: str, limit: int) -> list[int]:
        folded = text.fold(q)  # first: NFKC turns half-width kana into kana proper
        if text.has_cjk(folded):
            keys = [("kana_key", text.to_katakana(text.squash(folded))),
                    ("kanji_key", text.squash(folded))]
        else:
            latin = " ".join(folded.split())
            keys = [("name_key", latin), ("name_key_rev", latin)]
        found: list[int] = []
        conn = s.connection()
        for key, prefix in keys:
            found.extend(conn.execute(_BY_PREFIX[key], {
                "low": prefix, "high": text.prefix_upper_bound(prefix), "limit": limit,
            }).scalars())
        return list(dict.fromkeys(found))[:limit]

    def get(self, customer_id: int) -> CustomerSummary:
        with self._db.read() as s:
            found = customer_cards.summaries(s, [customer_id])
        if not found:
            raise NotFound(f"There is no customer {customer_id}.")
        return found[0]

    def history(self, customer_id: int, *, channel: Channel | None = None,
                cursor: str | None = None, limit: int = 50) -> TimelinePage:
        """The customer's timeline across all channels, newest first, one page at a time."""
        with self._db.read() as s:
            if s.get(Customer, customer_id) is None:
                raise NotFound(f"There is no customer {customer_id}.")
            return history.page(s, customer_id, channel, cursor, limit)

    def create(self, new: NewCustomer) -> CustomerSummary:
        """Adds a customer; phones are stored as E.164, e-mails lower-cased."""
        if not new.given_name.strip() or not new.family_name.strip():
            raise ValidationError("A customer needs a given name and a family name.")
        e164s = [self._one_phone(p) for p in new.phones]
        emails = [_check_email(e) for e in new.emails]
        now = self._clock.now()
        with self._db.write() as s:
            customer = Customer(
                given_name=new.given_name.strip(), family_name=new.family_name.strip(),
                given_name_kanji=new.given_name_kanji, family_name_kanji=new.family_name_kanji,
                given_name_kana=new.given_name_kana, family_name_kana=new.family_name_kana,
                language=new.language, segment=new.segment, vip=new.vip,
                date_of_birth=new.date_of_birth, created_at=now, updated_at=now,
                **name_keys(new.given_name, new.family_name, new.given_name_kanji,
                            new.family_name_kanji, new.given_name_kana, new.family_name_kana),
            )
            s.add(customer)
            s.flush()
            if e164s:
                s.execute(insert(CustomerPhone), [{"customer_id": customer.id, "e164": p}
                                                  for p in e164s])
            if emails:
                s.execute(insert(CustomerEmail), [{"customer_id": customer.id, "email": e}
                                                  for e in emails])
            changes.record(s, "customer", customer.id, "insert")
            return customer_cards.summaries(s, [customer.id])[0]

    def _one_phone(self, raw: str) -> str:
        found = phones.to_e164(raw, self._regions)
        if not found:
            raise ValidationError(f"'{raw}' is not a phone number we can read.")
        return found[0]


def _check_email(raw: str) -> str:
    email = raw.strip().casefold()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise ValidationError(f"'{raw}' is not an e-mail address.")
    return email
