"""Waiting for the window to reach a state by running the event loop (never sleeping).

For the screenshot and benchmark commands, which drive the window from a script.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer

from console.errors import Unavailable

POLL_MS = 5


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str,
               signals: Sequence[Any] = ()) -> float:
    """Runs the event loop until ``condition()`` holds; returns the seconds it took.

    The condition is checked every few milliseconds and at once whenever one
    of ``signals`` fires, so timings are not rounded up to the poll interval.
    Holding once is enough: the check that saw it hold ends the wait, and the
    condition is not asked again (a state such as "no job pending" can be
    true for a moment and false again by the time the loop has returned).

    Raises:
        Unavailable: naming ``what`` when the deadline passed without the
            condition holding.
    """
    started = time.perf_counter()
    if condition():
        return 0.0
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(POLL_MS)
    deadline = started + timeout_s
    held_after: list[float] = []  # set by the check that saw the condition hold
    finished = [False]

    def check(*_args: Any) -> None:
        if finished[0]:
            return
        if condition():
            held_after.append(time.perf_counter() - started)
        elif time.perf_counter() <= deadline:
            return
        finished[0] = True
        loop.quit()

    timer.timeout.connect(check)
    for signal in signals:
        signal.connect(check)
    timer.start()
    loop.exec()
    timer.stop()  # signals stay connected to a finished check: disconnect() leaks in 6.12.0
    if not held_after:
        raise Unavailable(f"Timed out after {timeout_s:.0f} s waiting for {what}.")
    return held_after[0]
