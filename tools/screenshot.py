"""``switchboard screenshot``: the console window, filled with data, saved as a PNG.

With no database given it builds a small demo in a temporary SQLite file, so
the picture always shows every pane with something in it.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from console.app import Services, open_services
from console.demo import DemoScale
from console.domain import AgentState
from console.errors import ValidationError
from console.security.guard import Door
from console.text import has_cjk
from ui.agent.main_window import MainWindow
from ui.shell.waiting import wait_until

log = logging.getLogger(__name__)

TIMEOUT_S = 30.0
KB_QUERIES = ("card", "password", "カード", "口座")
DEMO_SIZE: DemoScale = {"customers": 1500, "contacts": 6000, "articles": 300}


def seed_demo(services: Services) -> None:
    """Fills an empty database with a small demo."""
    from console.demo import generate

    generate(services.db, seed=7, now=services.clock.now(), **DEMO_SIZE)


def take_screenshot(out: str, *, db_url: str | None, size: tuple[int, int],
                    agent_login: str | None,
                    sign_in: Callable[[Services], Door] | None = None) -> Path:
    """Opens the window offscreen, fills every pane, saves the PNG; returns its path.

    Args:
        db_url: a database to show (None: a throwaway demo, any agent's window).
        sign_in: for ``db_url``, the door of the person whose window it is: a
            real database shows only what a signed-in person may see, audited.
    """
    with tempfile.TemporaryDirectory(prefix="switchboard-shot-") as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        services = open_services(url)
        try:
            if db_url is None:
                seed_demo(services)
                door = None
            else:
                if sign_in is None:
                    raise ValidationError("A screenshot of a real database needs a signed-in person.")
                door = sign_in(services)
            return _shoot(services, door, Path(out), size, agent_login, Path(tmp))
        finally:
            services.close()


def _shoot(services: Services, door: Door | None, out: Path, size: tuple[int, int],
           agent_login: str | None, tmp: Path) -> Path:
    from tools.window import door_for, resolve_agent
    from ui.app import create_application, open_window
    from ui.shell.jobs import Jobs
    from ui.shell.settings import UiSettings

    demo = door is None
    if door is None:
        agent = resolve_agent(services, agent_login)
        door = door_for(services, agent)
    else:
        agent = services.agents.get(door.principal.login)
        if agent_login not in (None, agent.login):
            raise ValidationError("--agent is for the demo; with --db the window is the signed-in "
                                  f"person's ({agent.login}).")
    create_application()
    jobs = Jobs()
    window = open_window(door, agent, jobs=jobs,
                         settings=UiSettings(agent.login, tmp / "ui.ini"))
    try:
        window.resize(*size)
        window.show()
        if demo:  # only the throwaway demo database is written to
            window.agent_state.request(AgentState.AVAILABLE)
        fill(window)
        if demo:  # the agent takes the contact, as they would before replying
            claim(window)
            window.inbox.table.setFocus()
        # Not "no job pending": the change feed keeps starting reads, so that
        # holds only now and then. Settled means every pane shows its result.
        wait_until(lambda: settled(window), TIMEOUT_S, "the last updates")
        window.tick()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            raise OSError(f"Could not write {out}")
        return out.resolve()
    finally:
        window.close()
        jobs.shutdown()


def fill(window: MainWindow) -> None:
    """Selects a contact, waits for every pane, inserts a script and runs a KB search."""
    model = window.inbox.model
    wait_until(lambda: model.rowCount() > 0 and not model.loading, TIMEOUT_S, "the inbox")
    window.open_contact(_pick_contact(window))
    wait_until(lambda: window.conversation.detail is not None, TIMEOUT_S, "the conversation")
    wait_until(lambda: not window.history.model.loading, TIMEOUT_S, "the history")
    scripts = window.scripts
    wait_until(lambda: scripts.model.rowCount() > 0, TIMEOUT_S, "the scripts")
    scripts.insert_current()
    for query in KB_QUERIES:
        window.kb.search.setText(query)
        window.kb.search_now()
        wait_until(lambda: window.kb.status.text() != "Searching…", TIMEOUT_S,
                   f"KB results for {query!r}")
        if window.kb.model.rowCount():
            break
    window.kb.view.clearFocus()
    window.tick()


def claim(window: MainWindow) -> None:
    """Claims the contact on screen and waits until the change feed has seen the claim.

    The feed's echo of the claim reloads the conversation and the history, so
    a picture taken before it arrives could show them empty or reloading.
    """
    window.commands.claim.trigger()
    wait_until(lambda: _is_mine(window) and window.bench.jobs.writes_pending == 0, TIMEOUT_S,
               "the claim")
    end_of_log: list[int] = []  # read after the claim committed, so it covers the claim
    window.bench.jobs.read(window.bench.door.changes.last_seq, on_success=end_of_log.append)
    wait_until(lambda: bool(end_of_log) and (window.feed.last_seq or 0) >= end_of_log[0],
               TIMEOUT_S, "the change feed to see the claim")


def settled(window: MainWindow) -> bool:
    """Whether every pane shows the result of its last load and no write is on its way."""
    detail = window.conversation.detail
    if detail is None or detail.contact.id != window.conversation.contact_id:
        return False
    customer_id = detail.customer.id if detail.customer else None
    history = window.history.model
    return (window.bench.jobs.writes_pending == 0 and not window.inbox.model.loading
            and history.customer_id == customer_id and not history.loading
            and window.scripts.model.rowCount() > 0)


def _is_mine(window: MainWindow) -> bool:
    detail = window.conversation.detail
    return detail is not None and detail.contact.assignee_login == window.bench.agent.login


def _pick_contact(window: MainWindow) -> int:
    """A contact that shows off the panes: a Japanese customer if listed, else any known one."""
    model = window.inbox.model
    rows = [model.contact_at(i) for i in range(model.rowCount())]
    mine = window.bench.agent.login
    known = [r for r in rows if r is not None and r.customer_id is not None
             and r.assignee_login in (None, mine)]  # not one someone else is working
    japanese = [r for r in known if has_cjk(r.customer_name)]
    chosen = (japanese or known or [r for r in rows if r is not None])[0]
    return chosen.id
