"""The window never waits for the database: slow calls run on workers, never on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QThread, QTimer
from pytestqt.qtbot import QtBot

from console.app import Services
from tests.factories import World
from tests.gui.conftest import WindowFactory

pytestmark = pytest.mark.gui


class Guarded:
    """Wraps a service: every method call records whether it ran on the GUI thread.

    Args:
        inner: the real service.
        gui_calls: where calls made on the GUI thread are listed.
        gate: methods named here wait for their event before running.
    """

    def __init__(self, inner: Any, gui_calls: list[str],
                 gate: dict[str, threading.Event] | None = None) -> None:
        self._inner, self._gui_calls, self._gate = inner, gui_calls, gate or {}
        self._gui = QThread.currentThread()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            if QThread.currentThread() is self._gui:
                self._gui_calls.append(name)
            event = self._gate.get(name)
            if event is not None:
                event.wait(10)
            return target(*args, **kwargs)

        return call


class GuardedServices:
    """Services whose every call is checked (the kb property included)."""

    def __init__(self, services: Services, gui_calls: list[str],
                 gate: dict[str, threading.Event] | None = None) -> None:
        wrap: Callable[[Any], Guarded] = lambda s: Guarded(s, gui_calls, gate)  # noqa: E731
        self._services = replace(services, inbox=wrap(services.inbox),
                                 customers=wrap(services.customers),
                                 templates=wrap(services.templates), agents=wrap(services.agents),
                                 db=wrap(services.db))
        self._kb = wrap(services.kb)

    def __getattr__(self, name: str) -> Any:
        return self._kb if name == "kb" else getattr(self._services, name)


def test_no_service_call_runs_on_the_gui_thread(make_window: WindowFactory, world: World,
                                                qtbot: QtBot) -> None:
    gui_calls: list[str] = []
    window = make_window(services=GuardedServices(world.services, gui_calls))
    window.open_contact(world.contacts[0].id)
    qtbot.waitUntil(lambda: window.scripts.model.rowCount() > 0
                    and window.history.model.rowCount() > 0)
    window.commands.claim.trigger()
    window.conversation.composer.set_text("On it.")
    window.commands.send_reply.trigger()
    qtbot.waitUntil(lambda: window.conversation.composer.text() == "")
    window.kb.search.setText("card")
    window.kb.search_now()
    qtbot.waitUntil(lambda: window.kb.model.rowCount() > 0)
    assert gui_calls == []


def test_the_window_stays_live_while_a_slow_query_is_in_flight(
        make_window: WindowFactory, world: World, qtbot: QtBot) -> None:
    gate = {"detail": threading.Event()}
    window = make_window(services=GuardedServices(world.services, [], gate))
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        window.open_contact(world.contacts[1].id)  # the detail query now hangs
        qtbot.waitUntil(lambda: len(ticks) >= 5)
        qtbot.keyClicks(window.conversation.composer.editor, "typing while it loads")
        assert window.conversation.composer.text() == "typing while it loads"
        qtbot.waitUntil(lambda: window.scripts.model.rowCount() > 0)  # other panes still fill
        assert window.conversation.detail is None
        gate["detail"].set()
        qtbot.waitUntil(lambda: window.conversation.detail is not None)
        assert window.conversation.header.name.text() == "山田 太郎"
        assert window.conversation.composer.text() == "typing while it loads"
    finally:
        timer.stop()
        gate["detail"].set()
