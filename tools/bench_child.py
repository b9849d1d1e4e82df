"""The process ``switchboard bench-ui`` starts and times: opens the window, then measures it.

It prints one JSON line when the window is shown with the first inbox page
in the model (the parent subtracts its own launch time), and with ``--full``
a second line with the in-window figures and the peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TIMEOUT_S = 60.0


def _say(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_child")
    parser.add_argument("--db", required=True)
    parser.add_argument("--agent")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args(argv)
    from console.app import open_services
    from tools.window import door_for, resolve_agent
    from ui.app import create_application, open_window
    from ui.shell.jobs import Jobs
    from ui.shell.settings import UiSettings
    from ui.shell.waiting import wait_until

    services = open_services(args.db, migrate=False)
    agent = resolve_agent(services, args.agent)
    create_application()
    jobs = Jobs()
    with tempfile.TemporaryDirectory() as tmp:
        window = open_window(door_for(services, agent), agent, jobs=jobs,
                             settings=UiSettings(agent.login, Path(tmp) / "ui.ini"))
        window.resize(1600, 1000)
        window.show()
        model = window.inbox.model
        wait_until(lambda: model.rowCount() > 0 and window.windowHandle() is not None
                   and window.windowHandle().isExposed(), TIMEOUT_S, "the first inbox page",
                   signals=[model.page_loaded])
        _say(event="shown", t=time.time(), rows=model.rowCount())
        if args.full:
            from tools.bench_measure import measure_window

            figures = measure_window(window, args.samples)
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            _say(event="result", peak_memory_mb=round(peak_mb, 1), **figures)
        window.close()
        jobs.shutdown()
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
