"""The leak check itself: it must see a helper left open and a task left running or queued."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThreadPool

from tests.gui.leaks import leftover_work
from ui.shell.jobs import Jobs

pytestmark = pytest.mark.gui


def test_a_helper_left_open_with_running_and_queued_tasks_is_reported(qapp: object) -> None:
    release = threading.Event()
    helper = Jobs(readers=1)
    try:
        helper.read(release.wait)
        helper.read(release.wait)  # queued behind the first: one reader only
        problems = leftover_work([helper])
        assert problems == [f"{helper!r} was not shut down",
                            f"{helper!r}: its read pool still has tasks"]
    finally:
        release.set()
        assert helper.shutdown()
    assert leftover_work([helper]) == []


def test_a_write_still_running_is_reported_even_after_shutdown_timed_out(qapp: object) -> None:
    release = threading.Event()
    helper = Jobs()
    helper.write(release.wait)
    try:
        assert not helper.shutdown(timeout_s=0.01)  # shutdown() lets writes finish
        assert leftover_work([helper]) == [f"{helper!r}: its write pool still has tasks"]
    finally:
        release.set()
        assert helper.shutdown()


def test_a_task_on_the_global_pool_is_reported(qapp: object) -> None:
    release = threading.Event()
    pool = QThreadPool.globalInstance()
    pool.start(release.wait)
    try:
        assert leftover_work([]) == ["the global thread pool still has tasks"]
    finally:
        release.set()
        pool.waitForDone()
    assert leftover_work([]) == []
