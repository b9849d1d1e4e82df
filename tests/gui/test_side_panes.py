"""History, Scripts and Knowledge-base models and panes: lazy history, broken scripts, highlights."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QListView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.domain import ArticleHit, Channel, RenderedTemplate, TemplateInfo
from tests.factories import World
from ui.agent.main_window import MainWindow
from ui.agent.models.history_model import HistoryModel
from ui.agent.models.list_models import KbResultsModel, ScriptsModel, highlight
from ui.agent.panes.kb_pane import reference
from ui.shell.jobs import Jobs
from ui.shell.roles import BodyRole, ContactIdRole, MetaRole, ToneRole
from ui.widgets.two_line_delegate import card_list

pytestmark = pytest.mark.gui
TOKYO = ZoneInfo("Asia/Tokyo")


def _history(world: World, jobs: Jobs, clock: ManualClock, page_size: int = 50) -> HistoryModel:
    return HistoryModel(jobs, world.services.customers, clock, TOKYO, page_size=page_size)


def test_history_loads_newest_first_page_by_page(qtbot: QtBot, qtmodeltester: ModelTester,
                                                 world: World, jobs: Jobs,
                                                 clock: ManualClock) -> None:
    world.services.inbox.claim(world.contacts[0].id, "emma")
    clock.advance(60)
    world.services.inbox.reply(world.contacts[0].id, "emma", "We froze the card.")
    model = _history(world, jobs, clock, page_size=2)
    model.set_customer(world.alice)
    qtbot.waitUntil(lambda: model.rowCount() == 2 and not model.loading)
    qtmodeltester.check(model)
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda b=before: model.rowCount() > b or not model.canFetchMore())
    titles = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert titles[0] == "Agent replied · Lost card"
    assert "New contact · Card limit" in titles
    first = model.index(0, 0)
    assert first.data(MetaRole) == "10:33"  # T0 + 3 min, in Tokyo
    assert first.data(BodyRole) == "<b>Emma Clarke</b>: We froze the card."
    assert first.data(ContactIdRole) == world.contacts[0].id
    qtmodeltester.check(model)


def test_history_channel_filter(qtbot: QtBot, world: World, jobs: Jobs,
                                clock: ManualClock) -> None:
    model = _history(world, jobs, clock)
    model.set_customer(world.alice, Channel.CHAT)
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0)
    entries = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert all("Card limit" in t for t in entries)
    model.set_customer(None)
    assert model.rowCount() == 0 and not model.canFetchMore()


def _template(name: str, body: str, category: str = "greeting") -> TemplateInfo:
    return TemplateInfo(1, name, "en", Channel.PHONE, category, body)


def test_a_broken_script_shows_its_error_in_warning_style(qtmodeltester: ModelTester) -> None:
    model = ScriptsModel()
    good = RenderedTemplate(_template("Greeting", "Hi {customer.first_name}"), "Hi <Alice>", None)
    bad = RenderedTemplate(_template("Broken", "Hi {customer.nickname}"), None,
                           "Unknown placeholder {customer.nickname}")
    model.set_items([good, bad])
    qtmodeltester.check(model)
    assert model.index(0, 0).data(BodyRole) == "Hi &lt;Alice&gt;"
    assert model.index(0, 0).data(ToneRole) is None
    assert model.index(1, 0).data(ToneRole) == "warning"
    assert "Unknown placeholder {customer.nickname}" in model.index(1, 0).data(BodyRole)
    model.set_items([good])
    qtmodeltester.check(model)


def test_scripts_pane_never_inserts_a_broken_script(qtbot: QtBot, window) -> None:  # type: ignore[no-untyped-def]
    bad = RenderedTemplate(_template("Broken", "{x"), None, "Template syntax error")
    window.scripts.model.set_items([bad])
    window.scripts.view.setCurrentIndex(window.scripts.model.index(0, 0))
    inserted: list[str] = []
    window.scripts.insert_requested.connect(inserted.append)
    window.scripts.insert_current()
    assert inserted == []


def test_kb_results_highlight_marks_safely(qtmodeltester: ModelTester) -> None:
    model = KbResultsModel()
    hit = ArticleHit(7, "Lost card", "…freeze the <mark>card</mark> &lt;now&gt;…", "Cards", "en", 1.0)
    model.set_items([hit])
    qtmodeltester.check(model)
    body = model.index(0, 0).data(BodyRole)
    assert "<span" in body and ">card</span>" in body and "&lt;now&gt;" in body
    assert model.index(0, 0).data(MetaRole) == "Cards · EN"
    assert highlight("<b>x</b> <mark>y</mark>").startswith("&lt;b&gt;x&lt;/b&gt;")
    assert reference(7, "Lost card") == "KB#7: Lost card"


def test_card_lists_paint_without_sideways_scrolling(qtbot: QtBot) -> None:
    model = ScriptsModel()
    long = "お電話ありがとうございます。" * 20
    model.set_items([RenderedTemplate(_template("Long", long), long, None)])
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    card_list(view, max_body_lines=0)
    view.resize(300, 400)
    view.show()
    qtbot.waitExposed(view)
    assert not view.grab().isNull()
    assert view.horizontalScrollBar().maximum() == 0
    assert view.sizeHintForRow(0) > 60  # the wrapped body is taller than one line


def test_stale_kb_results_are_dropped(qtbot: QtBot, window) -> None:  # type: ignore[no-untyped-def]
    window.kb.search.setText("card")
    window.kb.search_now()
    window.kb.search.setText("金利")  # typed on before the first answer came back
    window.kb.search_now()
    qtbot.waitUntil(lambda: window.bench.jobs.pending == 0 and window.kb.model.rowCount() > 0)
    titles = [window.kb.model.index(r, 0).data() for r in range(window.kb.model.rowCount())]
    assert titles == ["住宅ローンの金利について"]


def test_timestamps_in_history_use_the_site_time_zone() -> None:
    from ui.shell import timefmt

    at = datetime(2026, 11, 19, 23, 0, tzinfo=UTC)  # 08:00 on the 20th in Tokyo
    now = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert timefmt.stamp(at, now, TOKYO) == "08:00"
    assert timefmt.stamp(at, now, UTC) == "19 Nov 23:00"


def test_a_typo_in_kb_search_offers_similar_titles_on_postgresql(
        qtbot: QtBot, window: MainWindow) -> None:
    kb = window.kb
    kb.search.setText("stolen crad")
    kb.search_now()
    qtbot.waitUntil(lambda: kb.status.text() not in ("Searching…", ""))
    if not window.bench.door.changes.notifies:
        assert kb.status.text() == "Nothing found for “stolen crad”"
        return
    qtbot.waitUntil(lambda: kb.model.rowCount() > 0)
    assert kb.status.text() == "No exact match for “stolen crad”; similar titles"
    assert kb.model.index(0, 0).data() is not None
