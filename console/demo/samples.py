"""Benchmark inputs drawn from a demo database: what agents would really type.

Rows are picked by random ids from a seeded ``random.Random``, so the same
database and seed give the same inputs. Phone numbers come back in the
national format people type ("090-1234-5678", "(415) 234-5678").
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, select

from console.demo.bulk import table_of
from console.domain import ContactStatus
from console.store.models import Account, Contact, Customer, CustomerPhone, KbArticle, Queue

_LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]{2,}")
# Filler words nobody searches for.
_STOP = frozenset({"customer", "customers", "with", "from", "their", "after", "under"})
_CLAIMABLE = (ContactStatus.NEW, ContactStatus.OPEN, ContactStatus.PENDING)


def national_format(e164: str) -> str:
    """How a person writes the number at home: with the trunk 0 or the US (area) code."""
    if e164.startswith("+81"):
        n = "0" + e164[3:]
        return f"{n[:3]}-{n[3:7]}-{n[7:]}" if len(n) == 11 else f"{n[:2]}-{n[2:6]}-{n[6:]}"
    if e164.startswith("+1"):
        d = e164[2:]
        return f"({d[:3]}) {d[3:6]}-{d[6:]}"
    if e164.startswith("+44"):
        n = "0" + e164[3:]
        return f"{n[:5]} {n[5:]}"
    return e164


def _rows(conn: Connection, rng: random.Random, table: Table, columns: Sequence[Any],
          count: int) -> list[Any]:
    """``count`` rows at random ids (rows may repeat when the table is small)."""
    top = int(conn.execute(select(func.max(table.c.id))).scalar() or 0)
    if not top:
        return []
    ids = [rng.randrange(1, top + 1) for _ in range(count * 2)]
    found = {r[0]: r for r in conn.execute(select(table.c.id, *columns)
                                           .where(table.c.id.in_(set(ids))))}
    picked = [found[i] for i in ids if i in found]
    return picked[:count]


def phones(conn: Connection, rng: random.Random, count: int) -> list[str]:
    t = table_of(CustomerPhone)
    return [national_format(r.e164) for r in _rows(conn, rng, t, [t.c.e164], count)]


def accounts(conn: Connection, rng: random.Random, count: int) -> list[str]:
    """Account numbers; card numbers typed in groups of four, as printed."""
    t = table_of(Account)
    out = []
    for r in _rows(conn, rng, t, [t.c.number], count):
        n = r.number
        out.append(" ".join(n[i : i + 4] for i in range(0, 16, 4)) if len(n) == 16 else n)
    return out


def latin_prefixes(conn: Connection, rng: random.Random, count: int) -> list[str]:
    """Three-letter starts of family or given names (any customer, romaji too)."""
    t = table_of(Customer)
    rows = _rows(conn, rng, t, [t.c.given_name, t.c.family_name], count)
    return [(r.family_name if i % 2 else r.given_name)[:3].lower() for i, r in enumerate(rows)]


def cjk_prefixes(conn: Connection, rng: random.Random, count: int) -> list[str]:
    """Kanji family names, kanji family + first given character, or a kana reading's start."""
    t = table_of(Customer)
    cols = [t.c.family_name_kanji, t.c.given_name_kanji, t.c.family_name_kana]
    rows = [r for r in _rows(conn, rng, t, cols, count * 3) if r.family_name_kanji][:count]
    out = []
    for i, r in enumerate(rows):
        if i % 3 == 0:
            out.append(r.family_name_kanji)
        elif i % 3 == 1:
            out.append(r.family_name_kanji + (r.given_name_kanji or "")[:1])
        else:
            out.append(r.family_name_kana[:3])
    return out


def kb_terms(conn: Connection, rng: random.Random, count: int, language: str) -> list[str]:
    """Search words an agent would type, taken from articles' tags (product, procedure,
    situation): a Latin word, or two to five characters of a Japanese tag."""
    t = table_of(KbArticle)
    ids = sorted(conn.execute(select(t.c.id).where(t.c.language == language)).scalars())
    if not ids:
        return []
    picked = [rng.choice(ids) for _ in range(count * 3)]
    found = conn.execute(select(t.c.id, t.c.tags).where(t.c.id.in_(set(picked))))
    tags = {r.id: r.tags for r in found}
    terms = (_term(rng, tags[i], language) for i in picked)
    return [term for term in terms if len(term) >= 2][:count]


def _term(rng: random.Random, tags: str, language: str) -> str:
    if language == "ja":
        runs = _CJK_RUN.findall(tags)
        run = rng.choice(runs) if runs else ""
        start = rng.randrange(max(1, len(run) - 1))
        return run[start : start + rng.randrange(2, 6)]
    words = [w.lower() for w in _LATIN_WORD.findall(tags) if w.lower() not in _STOP]
    return rng.choice(words) if words else ""


def queue_names(conn: Connection, rng: random.Random, count: int) -> list[str]:
    names = sorted(conn.execute(select(table_of(Queue).c.name)).scalars())
    return [rng.choice(names) for _ in range(count)] if names else []


def claimable(conn: Connection, count: int) -> list[int]:
    """Unassigned active contacts, oldest first."""
    c = table_of(Contact).c
    stmt = (select(c.id).where(c.assignee_id.is_(None), c.status.in_(_CLAIMABLE))
            .order_by(c.id).limit(count))
    return [int(i) for i in conn.execute(stmt).scalars()]
