"""The other workstation of the latency benchmarks: a real ``switchboard watch`` child process.

It prints one JSON line per change it learns of; each line is stamped with
``time.perf_counter()`` the moment it arrives here, so a benchmark times
from just before an action until another process has seen its effect.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from console.errors import Unavailable

READY_TIMEOUT_S = 60.0
Change = dict[str, Any]
# The directory this process's ``console`` package was imported from: children run the same code.
CODE_ROOT = str(Path(__file__).resolve().parents[1])


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment for a ``switchboard`` child: unbuffered, the same code first."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": CODE_ROOT + (os.pathsep + path if path else ""), **(extra or {})}


def switchboard_command(url: str, *args: str) -> list[str]:
    """The command line of ``switchboard --db URL ARGS`` with this interpreter."""
    return [sys.executable, "-m", "console.cli", "--db", url, *args]


def is_message(message_id: str) -> Callable[[Change], bool]:
    """A test for ``Watcher.arrival``: the change of thread message ``message_id``."""
    return lambda change: change["entity"] == "message" and change["id"] == message_id


class Watcher:
    """A running ``switchboard watch`` on ``url``; use it as a context manager.

    Raises (on entering):
        Unavailable: the child did not start watching within a minute.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._lines: queue.Queue[tuple[float, Change]] = queue.Queue()
        self._ready = threading.Event()
        self._child: subprocess.Popen[str] | None = None
        self._readers: list[threading.Thread] = []

    def __enter__(self) -> Watcher:
        child = self._child = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            switchboard_command(self._url, "watch"), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=child_environment())
        assert child.stdout is not None and child.stderr is not None
        self._readers = [
            threading.Thread(target=self._read_changes, args=(child.stdout,), daemon=True),
            threading.Thread(target=self._await_ready, args=(child.stderr,), daemon=True)]
        for reader in self._readers:
            reader.start()
        if not self._ready.wait(READY_TIMEOUT_S):
            self.__exit__()
            raise Unavailable("The watching workstation did not start.")
        return self

    def __exit__(self, *exc: object) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        child.terminate()
        child.wait(timeout=10)
        for reader in self._readers:  # they stop at the end of the child's output
            reader.join(timeout=10)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()

    def forget_earlier(self) -> None:
        """Drops the changes that have arrived so far (so the next wait sees only new ones)."""
        while True:
            try:
                self._lines.get_nowait()
            except queue.Empty:
                return

    def arrival(self, wanted: Callable[[Change], bool], timeout_s: float,
                what: str) -> tuple[float, Change]:
        """When the first change that ``wanted`` accepts arrived, and the change.

        Raises:
            Unavailable: none arrived within ``timeout_s`` (``what`` names it in the message).
        """
        deadline = time.perf_counter() + timeout_s
        while (left := deadline - time.perf_counter()) > 0:
            try:
                at, change = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if wanted(change):
                return at, change
        raise Unavailable(f"The other workstation never saw {what}.")

    def _read_changes(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put((time.perf_counter(), json.loads(line)))

    def _await_ready(self, stream: IO[str]) -> None:
        for line in stream:
            if "watching" in line:
                self._ready.set()
