"""The console's life on a shared workstation: sign in, work (every look audited), sign out."""

from __future__ import annotations

from argon2 import PasswordHasher
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.security.guard import Entrance
from console.services.auth import AuthService
from console.store.db import Database
from tests.factories import World
from tests.gui.conftest import WindowFactory
from ui import app as ui_app
from ui.agent.main_window import MainWindow
from ui.sign_in import SignInDialog

PASSWORD = "correct horse battery"


def _cheap_auth(world: World, db: Database, clock: ManualClock) -> None:
    world.services.auth = AuthService(db, clock, hasher=PasswordHasher(
        time_cost=1, memory_cost=8, parallelism=1))
    world.services.auth.set_password("emma", PASSWORD)


def _when(predicate: object, then: object, every_ms: int = 20) -> QTimer:
    """Calls ``then`` once ``predicate`` holds (polled from the event loop of a modal dialog)."""
    timer = QTimer()
    timer.setInterval(every_ms)

    def check() -> None:
        if predicate():  # type: ignore[operator]
            timer.stop()
            then()  # type: ignore[operator]
    timer.timeout.connect(check)
    timer.start()
    return timer


def _dialog() -> SignInDialog | None:
    modal = QApplication.activeModalWidget()
    return modal if isinstance(modal, SignInDialog) and modal.isVisible() else None


def _window() -> MainWindow | None:
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, MainWindow) and w.isVisible()), None)


def test_sign_in_work_sign_out_and_the_next_person_finds_nothing_open(
        qtbot: QtBot, world: World, db: Database, clock: ManualClock) -> None:
    _cheap_auth(world, db, clock)
    steps: list[str] = []

    def sign_in_emma() -> None:
        dialog = _dialog()
        assert dialog is not None and dialog.login.text() == "emma"  # suggested
        dialog.password.setText(PASSWORD)
        dialog.submit()
        steps.append("signed in")
        timers.append(_when(lambda: _window() is not None
                            and _window().inbox.model.rowCount() > 0,  # type: ignore[union-attr]
                            work_then_sign_out))

    def work_then_sign_out() -> None:
        window = _window()
        assert window is not None and window.bench.principal.login == "emma"
        window.open_contact(world.contacts[0].id)
        timers.append(_when(lambda: window.conversation.detail is not None, lambda: (
            steps.append("viewed"), window.commands.sign_out.trigger(),
            timers.append(_when(lambda: _dialog() is not None, next_person)))))

    def next_person() -> None:
        dialog = _dialog()
        assert dialog is not None and dialog.login.text() == ""  # nothing of emma's left
        assert _window() is None
        steps.append("asked again")
        dialog.reject()

    timers = [_when(lambda: _dialog() is not None, sign_in_emma)]
    assert ui_app.run(Entrance(world.services), suggested_login="emma") == 0
    assert steps == ["signed in", "viewed", "asked again"]
    actions = [(e.actor_login, e.action, e.entity) for e in world.services.audit.list()]
    assert ("emma", "sign_in", "agent") in actions
    assert ("emma", "view", "contact") in actions  # the look at the record is audited
    assert ("emma", "sign_out", "agent") in actions


def test_a_window_opened_for_a_principal_audits_each_contact_it_shows(
        qtbot: QtBot, make_window: WindowFactory, world: World) -> None:
    window = make_window("emma", workstation="WS-7")
    window.open_contact(world.contacts[1].id)
    qtbot.waitUntil(lambda: window.conversation.detail is not None
                    and window.conversation.detail.contact.id == world.contacts[1].id)
    qtbot.waitUntil(lambda: window.bench.jobs.pending == 0)
    views = [e for e in world.services.audit.list() if e.action == "view" and e.entity == "contact"]
    assert [(v.actor_login, v.entity, v.entity_id, v.workstation) for v in views][-1] == (
        "emma", "contact", str(world.contacts[1].id), "WS-7")
