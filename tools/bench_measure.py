"""In-window timings for ``switchboard bench-ui``: contact to history, keystroke to KB results.

Runs inside the benchmark's child process, driving the real window the way
an agent does (selecting rows, typing), and waiting on the event loop.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sized
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest

from ui.agent.main_window import MainWindow
from ui.agent.panes.history_pane import HistoryPane
from ui.agent.panes.kb_pane import DEBOUNCE_MS
from ui.shell.waiting import wait_until

TIMEOUT_S = 60.0
KB_QUERIES = ("card", "password", "loan", "transfer", "address", "limit", "fee", "account",
              "mortgage", "app", "カード", "口座", "振込", "住所", "暗証番号", "ローン")


def _median_ms(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds) * 1000, 2) if seconds else None


def measure_window(window: MainWindow, samples: int) -> dict[str, Any]:
    """Selects contacts and types KB searches; returns medians in milliseconds."""
    history = _select_to_history(window, samples)
    total, search = _keystroke_to_results(window, samples)
    return {
        "select_to_history_ms": _median_ms(history), "select_samples": len(history),
        "kb_keystroke_to_results_ms": _median_ms(search),
        "kb_keystroke_to_results_with_debounce_ms": _median_ms(total),
        "kb_debounce_ms": DEBOUNCE_MS, "kb_samples": len(search),
    }


def _contacts_with_distinct_customers(window: MainWindow, samples: int) -> list[tuple[int, int]]:
    model = window.inbox.model
    while model.rowCount() < samples * 3 and model.canFetchMore():
        model.fetchMore()
        wait_until(lambda: not model.loading, TIMEOUT_S, "an inbox page")
    picked: list[tuple[int, int]] = []
    seen: set[int] = set()
    for row in range(model.rowCount()):
        contact = model.contact_at(row)
        if contact and contact.customer_id and contact.customer_id not in seen:
            seen.add(contact.customer_id)
            picked.append((contact.id, contact.customer_id))
    return picked[:samples]


def _select_to_history(window: MainWindow, samples: int) -> list[float]:
    """Seconds from selecting a row to the History pane holding that customer's entries."""
    jobs, history = window.bench.jobs, window.history
    timings: list[float] = []
    for contact_id, customer_id in _contacts_with_distinct_customers(window, samples):
        wait_until(lambda: jobs.pending == 0, TIMEOUT_S, "idle")
        started = time.perf_counter()
        window.inbox.select_contact(contact_id)
        wait_until(partial(_history_shown, history, customer_id), TIMEOUT_S, "the history",
                   signals=[history.model.page_loaded])
        history.view.viewport().repaint()  # the agent sees it only once it is painted
        timings.append(time.perf_counter() - started)
    return timings


def _keystroke_to_results(window: MainWindow, samples: int) -> tuple[list[float], list[float]]:
    """(keystroke to results shown, search start to results shown), in seconds."""
    kb = window.kb
    shown: list[float] = []
    kb.results_shown.connect(shown.append)
    total: list[float] = []
    for query in (KB_QUERIES * (samples // len(KB_QUERIES) + 1))[:samples]:
        wait_until(lambda: window.bench.jobs.pending == 0, TIMEOUT_S, "idle")
        kb.search.setText(query[:-1])
        before = len(shown)
        started = time.perf_counter()
        _type(kb.search, query[-1])
        wait_until(partial(_more_than, shown, before), TIMEOUT_S, f"KB results for {query!r}",
                   signals=[kb.results_shown])
        kb.view.viewport().repaint()
        total.append(time.perf_counter() - started)
    return total, shown[-len(total):] if total else []


def _history_shown(history: HistoryPane, customer_id: int) -> bool:
    model = history.model
    return model.customer_id == customer_id and not model.loading and model.rowCount() > 0


def _more_than(items: Sized, count: int) -> bool:
    return len(items) > count


def _type(widget: Any, text: str) -> None:
    """One keystroke: a key press for ASCII, an input-method commit for Japanese."""
    if text.isascii():
        QTest.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QCoreApplication.sendEvent(widget, event)
