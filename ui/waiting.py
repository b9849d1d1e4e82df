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

    Raises:
        Unavailable: naming ``what`` when it did not happen in time.
    """
    started = time.perf_counter()
    if condition():
        return 0.0
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(POLL_MS)
    deadline = started + timeout_s
    finished = [False]

    def check(*_args: Any) -> None:
        if not finished[0] and (condition() or time.perf_counter() > deadline):
            finished[0] = True
            loop.quit()

    timer.timeout.connect(check)
    for signal in signals:
        signal.connect(check)
    timer.start()
    loop.exec()
    timer.stop()  # signals stay connected to a finished check: disconnect() leaks in 6.12.0
    if not condition():
        raise Unavailable(f"Timed out after {timeout_s:.0f} s waiting for {what}.")
    return time.perf_counter() - started
