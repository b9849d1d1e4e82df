"""Finding background work a test left behind: Jobs helpers not shut down, pool tasks still there.

The GUI conftest records every ``Jobs`` made during a test and asks
``leftover_work`` about them when the test ends.
"""

from __future__ import annotations

from collections.abc import Iterable

import shiboken6
from PySide6.QtCore import QThreadPool

from ui.shell.jobs import Jobs


def pool_busy(pool: QThreadPool) -> bool:
    """Whether ``pool`` has a task running or queued (``waitForDone(0)`` does not block)."""
    return not pool.waitForDone(0)


def leftover_work(helpers: Iterable[Jobs]) -> list[str]:
    """What is still running or queued when a test ends; empty when nothing is.

    Args:
        helpers: the jobs helpers the test made.

    Returns:
        One line per problem, for the assertion message.
    """
    problems = []
    if pool_busy(QThreadPool.globalInstance()):
        problems.append("the global thread pool still has tasks")
    for helper in helpers:
        if not shiboken6.isValid(helper):  # deleted with its Qt parent, pools and all
            continue
        if not helper.closed:
            problems.append(f"{helper!r} was not shut down")
        problems.extend(f"{helper!r}: its {lane} pool still has tasks"
                        for lane, pool in helper.pools.items() if pool_busy(pool))
    return problems
