"""The jobs helper: results on the GUI thread, known errors vs bugs, stale results, write lane."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread, QTimer
from pytestqt.qtbot import QtBot

from console.errors import NotFound, SwitchboardError, Unavailable
from ui.shell.jobs import Connection, Jobs

pytestmark = pytest.mark.gui


def test_result_arrives_on_the_gui_thread(qtbot: QtBot, jobs: Jobs) -> None:
    seen: list[tuple[int, bool]] = []
    worker_threads: list[bool] = []

    def work(x: int) -> int:
        worker_threads.append(QThread.currentThread() is not qtbot_thread)
        return x * 2

    qtbot_thread = QThread.currentThread()
    jobs.read(work, 21, on_success=lambda r: seen.append((r, QThread.currentThread() is qtbot_thread)))
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(42, True)]
    assert worker_threads == [True]


def test_known_error_goes_to_on_failure(qtbot: QtBot, jobs: Jobs) -> None:
    failures: list[str] = []

    def missing() -> None:
        raise NotFound("There is no contact 9.")

    jobs.read(missing, on_success=lambda _r: pytest.fail("no result expected"),
              on_failure=lambda exc: failures.append(exc.message))
    qtbot.waitUntil(lambda: bool(failures))
    assert failures == ["There is no contact 9."]


def test_known_error_without_handler_is_announced(qtbot: QtBot, jobs: Jobs) -> None:
    def missing() -> None:
        raise NotFound("gone")

    with qtbot.waitSignal(jobs.known_error) as blocker:
        jobs.read(missing)
    assert blocker.args[0].message == "gone"


def test_a_bug_goes_to_the_crash_handler_not_to_on_failure(qtbot: QtBot) -> None:
    crashes: list[BaseException] = []
    helper = Jobs(crash_handler=lambda _t, exc, _tb: crashes.append(exc))
    try:
        helper.read(lambda: 1 / 0, on_failure=lambda _e: pytest.fail("bugs are not failures"))
        qtbot.waitUntil(lambda: bool(crashes))
        assert isinstance(crashes[0], ZeroDivisionError)
        assert crashes[0].__traceback__ is not None
    finally:
        assert helper.shutdown()


def test_a_newer_job_with_the_same_key_drops_the_older_result(qtbot: QtBot, jobs: Jobs) -> None:
    release = threading.Event()
    shown: list[str] = []

    def slow(query: str) -> str:
        release.wait(5)
        return query

    jobs.read(slow, "old", key="search", on_success=shown.append)
    jobs.read(lambda q: q, "new", key="search", on_success=shown.append)
    qtbot.waitUntil(lambda: shown == ["new"])
    release.set()
    qtbot.waitUntil(lambda: jobs.pending == 0)
    assert shown == ["new"]


def test_cancelled_job_outcome_is_dropped(qtbot: QtBot, jobs: Jobs) -> None:
    shown: list[int] = []
    job = jobs.read(lambda: 1, on_success=shown.append)
    job.cancel()
    qtbot.waitUntil(lambda: jobs.pending == 0)
    assert shown == []


def test_writes_run_one_at_a_time_in_order(qtbot: QtBot, jobs: Jobs) -> None:
    order: list[int] = []
    running = [0]
    most = [0]
    lock = threading.Lock()

    def write(n: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)  # worker thread: widens the window for overlap
        with lock:
            running[0] -= 1
        order.append(n)
        return n

    for n in range(6):
        jobs.write(write, n)
    qtbot.waitUntil(lambda: jobs.pending == 0)
    assert order == list(range(6))
    assert most[0] == 1


def test_unavailable_marks_the_connection_and_success_restores_it(qtbot: QtBot,
                                                                  jobs: Jobs) -> None:
    states: list[str] = []
    jobs.connection_changed.connect(states.append)

    def down() -> None:
        raise Unavailable("The database cannot be reached.")

    for _ in range(3):
        jobs.read(down, on_failure=lambda _e: None)
        qtbot.waitUntil(lambda: jobs.pending == 0)
    assert states == [Connection.RECONNECTING, Connection.OFFLINE]
    jobs.read(lambda: None)
    qtbot.waitUntil(lambda: jobs.pending == 0)
    assert states[-1] == Connection.CONNECTED


def test_event_loop_keeps_running_while_a_slow_call_is_in_flight(qtbot: QtBot,
                                                                 jobs: Jobs) -> None:
    release = threading.Event()
    ticks: list[int] = []
    results: list[str] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        jobs.read(lambda: release.wait(10) and "done", on_success=results.append)
        qtbot.waitUntil(lambda: len(ticks) >= 5)  # the GUI thread is free meanwhile
        assert results == []
        release.set()
        qtbot.waitUntil(lambda: results == ["done"])
    finally:
        timer.stop()
        release.set()


def test_shutdown_lets_submitted_writes_finish(qtbot: QtBot) -> None:
    helper = Jobs()
    done: list[int] = []
    for n in range(3):
        helper.write(lambda n=n: done.append(n))
    assert helper.shutdown()
    assert done == [0, 1, 2]
    late = helper.read(lambda: pytest.fail("no work after shutdown"))
    assert late.cancelled


def test_a_started_job_that_never_reports_back_is_failed_not_pending_for_ever(
        jobs: Jobs) -> None:
    from ui.shell.jobs import Job

    failures: list[SwitchboardError] = []
    lost = Job(lambda: None, None, failures.append, None, "read")
    lost.ran = True  # its worker started it, then vanished without an outcome
    jobs._in_flight.add(lost)
    jobs._drain()
    assert jobs.pending == 1 and failures == []  # one sweep is not enough to judge
    jobs._drain()
    assert jobs.pending == 0
    assert [type(f) for f in failures] == [Unavailable]
