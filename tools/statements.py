"""Counts the SQL statements a Database runs, so a test (or a benchmark) can bound what one
action costs (tests/gui/test_reads_per_action.py).

Statements are split three ways: change-feed bookkeeping (the change log's
own reads and PostgreSQL's lock and NOTIFY, which a window runs on a timer
whether anything happens or not), reads of customer records (contacts, their
messages and events, customers and their accounts) and everything else.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from console.store.db import Database

CUSTOMER_TABLES = ("contacts", "contact_events", "messages", "customers", "customer_phones",
                   "customer_emails", "accounts")
_CUSTOMER_READ = re.compile(r"\b(?:FROM|JOIN)\s+\"?(?:" + "|".join(CUSTOMER_TABLES) + r")\b",
                            re.IGNORECASE)
_BOOKKEEPING = re.compile(r"\bchange_log\b|pg_advisory_xact_lock|pg_notify", re.IGNORECASE)
_AUDIT_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\"?audit_events\b", re.IGNORECASE)


def _is_select(statement: str) -> bool:
    head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    return head in ("SELECT", "WITH")


@dataclass
class Tally:
    """The statements seen, in the order they ran."""

    statements: list[str] = field(default_factory=list)

    @property
    def selects(self) -> list[str]:
        return [s for s in self.statements if _is_select(s)]

    @property
    def bookkeeping(self) -> list[str]:
        """SELECTs the change feed and change log run (timer-driven, counted apart)."""
        return [s for s in self.selects if _BOOKKEEPING.search(s)]

    @property
    def reads(self) -> list[str]:
        """SELECTs other than the change feed's bookkeeping."""
        return [s for s in self.selects if not _BOOKKEEPING.search(s)]

    @property
    def customer_reads(self) -> list[str]:
        """Reads that touch a customer record (a contact, its thread, a customer)."""
        return [s for s in self.reads if _CUSTOMER_READ.search(s)]

    @property
    def audit_writes(self) -> list[str]:
        return [s for s in self.statements if _AUDIT_INSERT.search(s)]

    def summary(self) -> str:
        return (f"{len(self.selects)} SELECTs ({len(self.reads)} reads, of which "
                f"{len(self.customer_reads)} customer-record reads; {len(self.bookkeeping)} "
                f"change-feed bookkeeping), {len(self.audit_writes)} audit inserts")


@contextmanager
def counting(db: Database) -> Iterator[Tally]:
    """Records every statement ``db`` runs (on any thread) while the block is open."""
    tally = Tally()
    lock = threading.Lock()

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with lock:
            tally.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield tally
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
