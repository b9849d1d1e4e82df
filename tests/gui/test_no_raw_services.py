"""Nothing a window builds holds the raw services: every pane reaches them through its Door."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from console.app import Services
from console.domain import Role
from console.errors import NotPermitted
from console.security.guard import Door, GuardedService
from console.store.db import Database
from console.sync.follow import ChangeSource
from tests.factories import World
from tests.gui.conftest import WindowFactory

pytestmark = pytest.mark.gui

# The door and the change source keep their handles private; that is the point of them
# (a ChangeSource reads only the change log: what changed, never a customer record).
OPAQUE = (Door, GuardedService, ChangeSource)


def _raw_types(world: World) -> tuple[type, ...]:
    services = {type(getattr(world.services, f)) for f in vars(world.services)
                if type(getattr(world.services, f)).__module__.startswith("console.services")}
    return (Services, Database, Session, *services)


def _held(root: object, raw: tuple[type, ...]) -> Iterator[str]:
    """Paths (``window.flow._bench``…) from ``root`` to any raw handle it holds."""
    seen: set[int] = set()
    todo: list[tuple[str, object]] = [("window", root)]
    while todo:
        path, obj = todo.pop()
        if id(obj) in seen or isinstance(obj, OPAQUE) or inspect.isroutine(obj):
            continue
        seen.add(id(obj))
        if isinstance(obj, raw):
            yield path
            continue
        if isinstance(obj, QObject):
            todo.extend((f"{path}/{c.objectName() or type(c).__name__}", c)
                        for c in obj.children())
        if isinstance(obj, dict):
            todo.extend((f"{path}[{k!r}]", v) for k, v in obj.items())
        elif isinstance(obj, list | tuple | set | frozenset):
            todo.extend((f"{path}[]", v) for v in obj)
        attrs = getattr(obj, "__dict__", None)
        if isinstance(attrs, dict) and type(obj).__module__.split(".")[0] in ("ui", "console"):
            todo.extend((f"{path}.{k}", v) for k, v in attrs.items())


def test_the_console_window_holds_only_its_door(make_window: WindowFactory, world: World,
                                                qtbot: QtBot) -> None:
    window = make_window("emma")
    window.open_contact(world.contacts[0].id)
    qtbot.waitUntil(lambda: window.conversation.detail is not None)
    assert list(_held(window, _raw_types(world))) == []


@pytest.mark.parametrize(("login", "role"), [("sara", Role.SUPERVISOR), ("bea", Role.BRANCH),
                                             ("root", Role.ADMIN)])
def test_the_wallboard_branch_and_admin_windows_hold_only_the_door(
        login: str, role: Role, make_window: WindowFactory, world: World) -> None:
    if login != "sara":
        world.services.admin.create_agent(login, login.title(), role=role)
    window = make_window(login, ready=False)
    for launcher in (window.wallboard, window.branch, window.admin):
        with contextlib.suppress(NotPermitted):  # each opens for the roles it serves
            launcher.open()
    opened = [w for w in (window.wallboard.window, window.branch.window, window.admin.window)
              if w is not None]
    assert opened, f"{login} opened nothing"
    assert list(_held(window, _raw_types(world))) == []


def test_the_walk_finds_a_raw_handle(make_window: WindowFactory, world: World) -> None:
    window = make_window("emma")
    window.inbox.stray = world.services.inbox  # type: ignore[attr-defined]
    assert any(p.endswith(".stray") for p in _held(window, _raw_types(world)))
