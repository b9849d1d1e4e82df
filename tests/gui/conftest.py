"""GUI fixtures: a small contact centre with scripts and KB articles, and console windows on it.

Every window is closed and every background job finished before the
database goes away, so no test leaves a thread, a timer or a pending result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from console.app import Services
from console.clock import ManualClock
from console.domain import Channel
from console.services.templates import load_defaults
from console.store.db import Database
from tests.factories import World, small_world
from tests.gui.benches import bench_for
from tests.gui.leaks import leftover_work
from ui.agent.main_window import MainWindow
from ui.shell.jobs import Jobs
from ui.shell.settings import UiSettings

ARTICLES = (
    ("lost-card", "Lost or stolen card",
     "When a customer has lost a card, freeze the card at once, then order a replacement card.",
     "Cards", "en"),
    ("raise-limit", "Raising a card limit",
     "A customer may ask for a higher limit. Check the income on file first.", "Cards", "en"),
    ("mortgage-rates", "住宅ローンの金利について",
     "住宅ローンの金利は毎月見直されます。最新の金利はお客様に口頭でご案内ください。", "Loans", "ja"),
)


def add_scripts_and_articles(services: Services) -> None:
    """The shipped greeting scripts and a few English and Japanese KB articles."""
    for t in load_defaults():
        services.templates.save(str(t["name"]), str(t["language"]), str(t["body"]),
                                channel=Channel(t["channel"]) if t["channel"] else None,
                                category=str(t["category"]))
    for slug, title, body, category, language in ARTICLES:
        services.kb.upsert(slug, title, body, category=category, language=language)


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    w = small_world(db, clock)
    add_scripts_and_articles(w.services)
    return w


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, world: World, tmp_path: Path) -> Iterator[WindowFactory]:
    """Builds started windows; closes them and drains their jobs at teardown."""
    opened: list[tuple[MainWindow, Jobs]] = []

    def make(login: str = "emma", services: Services | None = None,
             settings_path: Path | None = None, poll_ms: int = 50,
             workstation: str = "WS-01", ready: bool = True) -> MainWindow:
        """A started window for ``login``; with ``ready`` once its inbox has rows."""
        sv = services or world.services
        jobs = Jobs()
        # Signing in happens before the window: the agent is looked up outside it.
        bench = bench_for(sv, jobs, login, workstation, directory=world.services)
        settings = UiSettings(login, settings_path or tmp_path / "ui.ini")
        window = MainWindow(bench, settings, poll_ms)
        qtbot.addWidget(window)
        opened.append((window, jobs))
        window.resize(1400, 900)
        window.start()
        window.show()
        if ready:
            qtbot.waitUntil(lambda: window.inbox.model.rowCount() > 0 and jobs.pending == 0)
        return window

    yield make
    for window, jobs in opened:
        window.close()
        assert jobs.shutdown(), "background jobs did not finish"


@pytest.fixture
def window(make_window: WindowFactory) -> MainWindow:
    """Emma's console on the small world."""
    return make_window()


@pytest.fixture
def jobs(qapp: object) -> Iterator[Jobs]:
    """A bare jobs helper, drained at teardown."""
    helper = Jobs()
    yield helper
    assert helper.shutdown(), "background jobs did not finish"


@pytest.fixture(autouse=True)
def _no_leaked_work(qapp: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fails a test that leaves a jobs helper open or a pool task running or queued."""
    made: list[Jobs] = []  # held until the end, so one dropped without shutdown() is seen
    init = Jobs.__init__

    def recording_init(self: Jobs, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Jobs, "__init__", recording_init)
    yield
    problems = leftover_work(made)
    assert not problems, "\n".join(problems)
