"""wait_until: success when the condition held even for a moment, a timeout only when it never did."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, QTimer, Signal

from console.errors import Unavailable
from ui.shell.waiting import wait_until

pytestmark = pytest.mark.gui


class Blink(QObject):
    """A state that is true only while its ``lit`` signal is being delivered."""

    lit = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.on = False
        self.blinks = 0

    def blink(self) -> None:
        self.on = True
        self.blinks += 1
        self.lit.emit()
        self.on = False  # false again before the event loop gets control back


def test_a_condition_that_held_for_a_moment_counts_as_met(qapp: object) -> None:
    blink = Blink()
    QTimer.singleShot(10, blink.blink)
    took = wait_until(lambda: blink.on, 10.0, "the blink", signals=[blink.lit])
    assert blink.blinks == 1 and not blink.on
    assert 0.0 < took < 10.0


def test_a_condition_that_never_holds_times_out_naming_what(qapp: object) -> None:
    checks = [0]

    def never() -> bool:
        checks[0] += 1
        return False

    with pytest.raises(Unavailable, match="waiting for the moon"):
        wait_until(never, 0.05, "the moon")
    assert checks[0] > 1  # it kept looking until the deadline
