"""Customer summaries: names, phones, e-mails and masked accounts, built in bulk."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session

from console.domain import AccountInfo, CustomerSummary
from console.masking import mask_number
from console.services.rows import display_name
from console.store.models import Account, Customer, CustomerEmail, CustomerPhone

# Built once: constructing a select() and its cache key on every call cost more
# than running the four queries (benchmark: 0.45 ms of a 0.55 ms lookup).
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_CUSTOMERS = select(
    Customer.id, Customer.given_name, Customer.family_name, Customer.given_name_kanji,
    Customer.family_name_kanji, Customer.given_name_kana, Customer.family_name_kana,
    Customer.language, Customer.segment, Customer.vip,
).where(Customer.id.in_(_IDS))
_PHONES = (select(CustomerPhone.customer_id, CustomerPhone.e164)
           .where(CustomerPhone.customer_id.in_(_IDS)).order_by(CustomerPhone.id))
_EMAILS = (select(CustomerEmail.customer_id, CustomerEmail.email)
           .where(CustomerEmail.customer_id.in_(_IDS)).order_by(CustomerEmail.id))
_ACCOUNTS = (select(Account.id, Account.customer_id, Account.product, Account.number,
                    Account.status)
             .where(Account.customer_id.in_(_IDS)).order_by(Account.id))


def summaries(session: Session, ids: list[int]) -> list[CustomerSummary]:
    """Summaries for ``ids``, in the order given (unknown ids are left out).

    Four queries whatever the number of customers: never one per row.
    """
    if not ids:
        return []
    session.flush()  # the Core reads below must see this session's pending changes
    conn, params = session.connection(), {"ids": ids}
    customers = {r.id: r for r in conn.execute(_CUSTOMERS, params)}
    phones: dict[int, list[str]] = defaultdict(list)
    for cid, e164 in conn.execute(_PHONES, params):
        phones[cid].append(e164)
    emails: dict[int, list[str]] = defaultdict(list)
    for cid, email in conn.execute(_EMAILS, params):
        emails[cid].append(email)
    accounts: dict[int, list[AccountInfo]] = defaultdict(list)
    for a in conn.execute(_ACCOUNTS, params):
        accounts[a.customer_id].append(AccountInfo(a.id, a.product, mask_number(a.number),
                                                   a.status))
    return [_summary(customers[i], phones[i], emails[i], accounts[i]) for i in ids if i in customers]


def _summary(c: Any, phones: list[str], emails: list[str],
             accounts: list[AccountInfo]) -> CustomerSummary:
    kana = f"{c.family_name_kana or ''} {c.given_name_kana or ''}".strip() or None
    return CustomerSummary(
        id=c.id,
        display_name=display_name(c.given_name, c.family_name, c.given_name_kanji,
                                  c.family_name_kanji, c.language),
        name_kana=kana,
        language=c.language,
        segment=c.segment,
        vip=c.vip,
        phones=tuple(phones),
        emails=tuple(emails),
        accounts=tuple(accounts),
    )
