"""The one background-work helper: run a callable off the GUI thread, then hand back its outcome.

Reads run on a small pool in parallel; writes run one at a time on their own
lane, in the order they were submitted. Results, known problems
(``SwitchboardError``) and bugs come back to the GUI thread through a queued
signal: results to ``on_success``, known problems to ``on_failure`` (or the
``known_error`` signal), bugs to the crash handler. Nothing is swallowed.
"""

from __future__ import annotations

import enum
import logging
import queue
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal, Slot

from console.errors import ProviderUnavailable, SwitchboardError, Unavailable

log = logging.getLogger(__name__)

CrashHandler = Callable[[type[BaseException], BaseException, TracebackType | None], None]
# After this many Unavailable errors in a row the database counts as offline.
OFFLINE_AFTER = 3
SWEEP_MS = 250  # how soon an outcome whose wake-up signal went missing is delivered


class Connection(enum.StrEnum):
    """What the last database calls tell about the connection."""

    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


class Job:
    """One submitted piece of work; ``cancel()`` makes its outcome be dropped.

    Args:
        fn: the callable to run on a worker thread.
        on_success: called on the GUI thread with the result.
        on_failure: called on the GUI thread with a SwitchboardError.
        key: jobs with the same key replace each other (only the newest counts).
        lane: "read" (parallel) or "write" (one at a time, in order).
    """

    def __init__(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None,
                 on_failure: Callable[[SwitchboardError], None] | None,
                 key: str | None, lane: str = "read") -> None:
        self.fn = fn
        self.lane = lane
        self.on_success = on_success
        self.on_failure = on_failure
        self.key = key
        self.cancelled = False
        self.ran = False
        self.done = False

    def cancel(self) -> None:
        """Drops the outcome (and skips the work if it has not started yet)."""
        self.cancelled = True


class Jobs(QObject):
    """Runs service calls on worker threads and reports back on the GUI thread.

    Args:
        crash_handler: receives unexpected exceptions (default: ``sys.excepthook``).
        readers: how many reads may run at once.
        parent: the owning QObject.

    Signals:
        known_error(object): a SwitchboardError from a job without ``on_failure``.
        connection_changed(str): a ``Connection`` value, when it changes.
        busy_changed(bool): True when work starts after idling, False when all is done.
    """

    known_error = Signal(object)
    connection_changed = Signal(str)
    busy_changed = Signal(bool)
    _ready = Signal()  # an outcome is waiting in the queue (no Python objects cross threads)

    def __init__(self, crash_handler: CrashHandler | None = None, readers: int = 3,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._crash = crash_handler or _default_crash_handler
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(readers)
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)  # the single write lane: FIFO, one at a time
        self._in_flight: set[Job] = set()
        self._latest: dict[str, Job] = {}
        self._unavailable_in_a_row = 0
        self.connection = Connection.CONNECTED
        self._closed = False
        # Outcomes travel in a thread-safe queue, not as signal arguments: under
        # PySide6 6.12 a queued signal carrying Python objects from a pool thread
        # was now and then never delivered, leaving a job pending for ever. The
        # signal only wakes the GUI thread; the sweep timer drains the queue too,
        # so even a lost wake-up costs at most SWEEP_MS.
        self._outcomes: queue.SimpleQueue[tuple[Job, Any, BaseException | None]] = (
            queue.SimpleQueue())
        self._ready.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._sweep = QTimer(self)
        self._sweep.setInterval(SWEEP_MS)
        self._sweep.timeout.connect(self._drain)
        self._suspects: set[Job] = set()

    # -- submitting ------------------------------------------------------
    def read(self, fn: Callable[..., Any], *args: Any,
             on_success: Callable[[Any], None] | None = None,
             on_failure: Callable[[SwitchboardError], None] | None = None,
             key: str | None = None, **kwargs: Any) -> Job:
        """Runs ``fn(*args, **kwargs)`` on the read pool."""
        return self._submit(self._reads, "read", fn, args, kwargs, on_success, on_failure, key)

    def write(self, fn: Callable[..., Any], *args: Any,
              on_success: Callable[[Any], None] | None = None,
              on_failure: Callable[[SwitchboardError], None] | None = None,
              key: str | None = None, **kwargs: Any) -> Job:
        """Runs ``fn(*args, **kwargs)`` on the write lane, after earlier writes."""
        return self._submit(self._writes, "write", fn, args, kwargs, on_success, on_failure, key)

    def _submit(self, pool: QThreadPool, lane: str, fn: Callable[..., Any], args: tuple[Any, ...],
                kwargs: dict[str, Any], on_success: Callable[[Any], None] | None,
                on_failure: Callable[[SwitchboardError], None] | None,
                key: str | None) -> Job:
        job = Job(lambda: fn(*args, **kwargs), on_success, on_failure, key, lane)
        if self._closed:
            job.cancel()
            return job
        if key is not None:
            previous = self._latest.get(key)
            if previous is not None:
                previous.cancel()
            self._latest[key] = job
        if not self._in_flight:
            self.busy_changed.emit(True)
            self._sweep.start()
        self._in_flight.add(job)
        pool.start(lambda: self._run(job))
        return job

    def _run(self, job: Job) -> None:
        """Worker thread: runs the job and posts the outcome to the GUI thread."""
        result: Any = None
        error: BaseException | None = None
        if not job.cancelled:
            job.ran = True
            try:
                result = job.fn()
            except BaseException as exc:  # every outcome goes to the GUI thread, bugs included
                error = exc
        self._outcomes.put((job, result, error))
        self._ready.emit()

    # -- delivering (GUI thread) ----------------------------------------
    @Slot()
    def _drain(self) -> None:
        """Delivers every outcome that has arrived, in arrival order, then looks for lost jobs."""
        while True:
            try:
                job, result, error = self._outcomes.get_nowait()
            except queue.Empty:
                break
            self._deliver(job, result, error)
        self._fail_lost_jobs()

    def _fail_lost_jobs(self) -> None:
        """Fails a job that started but whose worker is gone without an outcome.

        Seen rarely (about one screenshot run in fifteen) with PySide6 6.12: a
        read ran, its thread ended, and nothing came back. The job then counts
        as pending for ever and its caller (the change feed) waits for ever. A
        job is judged lost only when it started, its lane has no thread running
        and no outcome is queued, on two sweeps in a row.
        """
        idle = {lane for lane, pool in (("read", self._reads), ("write", self._writes))
                if pool.activeThreadCount() == 0}
        suspects = {job for job in self._in_flight if job.ran and job.lane in idle}
        lost, self._suspects = suspects & self._suspects, suspects
        for job in lost:
            if self._outcomes.empty() and job in self._in_flight:
                log.warning("a background %s job ended without an outcome; failing it", job.lane)
                self._deliver(job, None, Unavailable(
                    "A background database call was lost; it will be tried again."))

    def _deliver(self, job: Job, result: Any, error: BaseException | None) -> None:
        job.done = True
        self._in_flight.discard(job)
        if job.key is not None and self._latest.get(job.key) is job:
            del self._latest[job.key]
        try:
            self._dispatch(job, result, error)
        finally:
            if not self._in_flight:
                self._sweep.stop()
                self.busy_changed.emit(False)

    def _dispatch(self, job: Job, result: Any, error: BaseException | None) -> None:
        if error is not None and not isinstance(error, SwitchboardError):
            self._crash(type(error), error, error.__traceback__)
            return
        if not job.ran:
            return  # cancelled before it started
        self._note_connection(error)
        if job.cancelled or self._closed:
            return
        if error is None:
            if job.on_success is not None:
                job.on_success(result)
        elif job.on_failure is not None:
            job.on_failure(error)
        else:
            self.known_error.emit(error)

    def _note_connection(self, error: BaseException | None) -> None:
        if isinstance(error, ProviderUnavailable):
            return  # the phone system (an outside system) is away: it says nothing of the database
        if isinstance(error, Unavailable):
            self._unavailable_in_a_row += 1
            state = (Connection.OFFLINE if self._unavailable_in_a_row >= OFFLINE_AFTER
                     else Connection.RECONNECTING)
        else:
            self._unavailable_in_a_row = 0
            state = Connection.CONNECTED
        if state != self.connection:
            self.connection = state
            self.connection_changed.emit(state.value)

    # -- waiting and stopping -------------------------------------------
    @property
    def pending(self) -> int:
        """How many submitted jobs have not been delivered yet."""
        return len(self._in_flight)

    @property
    def writes_pending(self) -> int:
        """How many writes have not been delivered yet (the change feed only ever reads)."""
        return sum(1 for job in self._in_flight if job.lane == "write")

    @property
    def closed(self) -> bool:
        """Whether ``shutdown()`` was called: no new work is accepted."""
        return self._closed

    @property
    def pools(self) -> dict[str, QThreadPool]:
        """The thread pool of each lane ("read", "write"), for leak checks in tests."""
        return {"read": self._reads, "write": self._writes}

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Waits for every job and delivers their outcomes; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while self._in_flight:
            left_ms = max(0, int((deadline - time.monotonic()) * 1000))
            self._reads.waitForDone(left_ms)
            self._writes.waitForDone(left_ms)
            self._drain()
            if self._in_flight and time.monotonic() >= deadline:
                return False
        return True

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Stops accepting work, drops queued reads, lets writes finish; False on timeout.

        Outcomes that arrive afterwards are dropped, except bugs, which still
        reach the crash handler.
        """
        self._closed = True
        for job in self._in_flight:
            if job.lane == "read":
                job.cancel()  # a write already submitted must still happen
        self._reads.clear()
        ok = self._reads.waitForDone(int(timeout_s * 1000))
        ok = self._writes.waitForDone(int(timeout_s * 1000)) and ok
        self._drain()
        self._sweep.stop()
        return ok


def _default_crash_handler(etype: type[BaseException], value: BaseException,
                           tb: TracebackType | None) -> None:
    sys.excepthook(etype, value, tb)
