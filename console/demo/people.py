"""Demo customers with their phones, e-mails and accounts, generated in batches.

Everything is built with plain string operations: phonenumbers is far too
slow to call a million times, so numbers are composed from ranges that it
accepts as valid (a test checks a sample). Account numbers are unique by
construction: an affine permutation of a running sequence number.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from console.demo import names
from console.services.customers import name_keys

PRODUCTS = ("savings", "checking", "credit_card", "loan", "mortgage", "time_deposit")
_PRODUCT_CUM = (30, 55, 80, 88, 94, 100)
# (leading digit, number of random digits) per product; lengths and leading digits
# differ, so numbers of two products can never collide.
_NUMBER_SHAPE = {"savings": ("1", 9), "checking": ("2", 9), "time_deposit": ("3", 10),
                 "loan": ("7", 11), "mortgage": ("8", 11)}
_PERMUTE = 2_862_933_555_777_941_757  # odd, not a multiple of 5: a bijection mod 10**k
_SEGMENT_CUM = (82, 94, 100)
_SEGMENTS = ("retail", "premier", "business")


@dataclass
class CustomerBatch:
    """The rows of one batch of customers, ready for bulk insert."""

    customers: list[dict[str, Any]] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    emails: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Population:
    """What contacts need to know about each customer (index = id - 1): 1 = Japanese."""

    japanese: bytearray = field(default_factory=bytearray)
    vip: bytearray = field(default_factory=bytearray)


def luhn_complete(partial: str) -> str:
    """Appends the Luhn check digit that card numbers carry."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return partial + str((10 - total % 10) % 10)


class CustomerFactory:
    """Makes customers 1..count in id order.

    Args:
        rng: the only source of randomness.
        now: the demo's "now"; creation dates and birthdays lie before it.
    """

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self._rng = rng
        self._now = now
        self._today = now.date()
        self._keys: dict[tuple[str, ...], dict[str, str | None]] = {}
        self._account_seq = 0
        self._offset = rng.randrange(10**9)
        self.population = Population()

    def batches(self, count: int, size: int) -> Iterator[CustomerBatch]:
        for start in range(1, count + 1, size):
            batch = CustomerBatch()
            for cid in range(start, min(start + size, count + 1)):
                self._customer(batch, cid)
            yield batch

    def _customer(self, batch: CustomerBatch, cid: int) -> None:
        rng = self._rng
        japanese = rng.random() < 0.5
        row = self._japanese_name() if japanese else self._english_name()
        vip = rng.random() < 0.03
        since = self._now - timedelta(days=rng.randrange(200, 6000), seconds=rng.randrange(86400))
        seg = rng.random() * 100
        row.update(
            id=cid, language="ja" if japanese else "en",
            segment=_SEGMENTS[0 if seg < _SEGMENT_CUM[0] else 1 if seg < _SEGMENT_CUM[1] else 2],
            vip=vip, date_of_birth=self._today - timedelta(days=rng.randrange(6600, 31000)),
            national_id=None, created_at=since,
            updated_at=since + timedelta(days=rng.randrange(0, 190)), version=1,
        )
        batch.customers.append(row)
        self.population.japanese.append(japanese)
        self.population.vip.append(vip)
        self._phones(batch.phones, cid, japanese)
        if rng.random() < 0.85:
            batch.emails.append({"customer_id": cid, "email": self._email(row, japanese)})
        for _ in range(1 + (rng.random() < 0.5) + (rng.random() < 0.3)):
            batch.accounts.append(self._account(cid))

    def _japanese_name(self) -> dict[str, Any]:
        family = self._rng.choice(names.JA_FAMILY)
        given = self._rng.choice(names.JA_GIVEN)
        row: dict[str, Any] = {
            "given_name": given.romaji, "family_name": family.romaji,
            "given_name_kanji": given.kanji, "family_name_kanji": family.kanji,
            "given_name_kana": given.kana, "family_name_kana": family.kana,
        }
        row.update(self._name_keys(row))
        return row

    def _english_name(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "given_name": self._rng.choice(names.EN_GIVEN),
            "family_name": self._rng.choice(names.EN_FAMILY),
            "given_name_kanji": None, "family_name_kanji": None,
            "given_name_kana": None, "family_name_kana": None,
        }
        row.update(self._name_keys(row))
        return row

    def _name_keys(self, row: dict[str, Any]) -> dict[str, str | None]:
        """name_keys() is the one definition of the keys; a few thousand name pairs repeat."""
        parts = (row["given_name"], row["family_name"], row["given_name_kanji"],
                 row["family_name_kanji"], row["given_name_kana"], row["family_name_kana"])
        keys = self._keys.get(parts)
        if keys is None:
            keys = self._keys[parts] = name_keys(*parts)
        return keys

    def _phones(self, out: list[dict[str, Any]], cid: int, japanese: bool) -> None:
        rng = self._rng
        out.append({"customer_id": cid, "e164": self._mobile(japanese), "kind": "mobile"})
        if rng.random() < 0.15:
            if japanese:
                e164 = f"+81{rng.choice(names.JA_FIXED_PREFIXES)}{rng.randrange(2 * 10**7, 10**8)}"
            else:
                e164 = self._us_number()
            out.append({"customer_id": cid, "e164": e164, "kind": "home"})

    def _mobile(self, japanese: bool) -> str:
        rng = self._rng
        if japanese:
            return f"+81{rng.choice(names.JA_MOBILE_PREFIXES)}{rng.randrange(10**7, 10**8)}"
        if rng.random() < 0.7:
            return self._us_number()
        return f"+44{rng.choice(names.UK_MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"

    def _us_number(self) -> str:
        rng = self._rng
        exchange = rng.randrange(200, 1000)
        if exchange == 555:  # 555 reads as fictional to anyone who watches films
            exchange = 556
        return f"+1{rng.choice(names.US_AREA_CODES)}{exchange}{rng.randrange(10000):04d}"

    def _email(self, row: dict[str, Any], japanese: bool) -> str:
        rng = self._rng
        domain = rng.choice(names.JA_EMAIL_DOMAINS if japanese else names.EN_EMAIL_DOMAINS)
        local = f"{row['given_name']}.{row['family_name']}".lower().replace("'", "")
        return f"{local}{rng.randrange(1, 10000)}@{domain}"

    def _account(self, cid: int) -> dict[str, Any]:
        rng = self._rng
        self._account_seq += 1
        pick = rng.random() * 100
        product = next(p for p, c in zip(PRODUCTS, _PRODUCT_CUM, strict=True) if pick < c)
        number = self._number(product, self._account_seq)
        opened = self._today - timedelta(days=rng.randrange(30, 7300))
        status = "active" if rng.random() < 0.95 else rng.choice(("closed", "dormant"))
        return {"customer_id": cid, "product": product, "number": number,
                "last4": number[-4:], "status": status, "opened_at": opened}

    def _number(self, product: str, seq: int) -> str:
        if product == "credit_card":
            body = (_PERMUTE * seq + self._offset) % 10**14
            return luhn_complete(f"4{body:014d}")
        lead, width = _NUMBER_SHAPE[product]
        body = (_PERMUTE * seq + self._offset) % 10**width
        return f"{lead}{body:0{width}d}"

