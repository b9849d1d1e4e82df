"""``switchboard gateway``: the headless service that takes mail in and sends replies out.

It runs beside the shared database (for the embedded default, on the machine
of the window) and needs no person signed in: it acts as the gateway
principal, which may do the gateway's work and nothing else (console.channels
.gateway). Whoever can start it can already reach the database; run it as
its own OS user, the one that owns the accounts' secrets.

``--once`` does one intake pass over every enabled e-mail account and one
delivery pass, prints what it did and exits (0; 1 when a mailbox could not be
read). Without it the gateway serves until SIGTERM or SIGINT, then finishes
the step it is in and exits 0. Each step is logged on standard error.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import signal
import sys
import threading
from datetime import timedelta
from types import FrameType
from typing import Any

from console.cli import args as arg
from console.cli.person import command_services, needs_no_person

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("gateway", help="run the channel gateway (mail in over IMAP, replies out "
                                       "over SMTP)",
                       description=__doc__.split("\n\n", 1)[1] if __doc__ else None)
    p.add_argument("--once", action="store_true",
                   help="one intake pass and one delivery pass, then exit")
    p.add_argument("--name", type=arg.text(100, "the name"), metavar="NAME",
                   help="this gateway's name in leases (default: HOST:PID; unique per gateway)")
    p.add_argument("--poll-interval", type=arg.whole_number(1, 3600), default=60, metavar="S",
                   help="seconds between polls of a mailbox whose server has no IDLE (60)")
    p.add_argument("--lease", type=arg.whole_number(10, 3600), default=90, metavar="S",
                   help="seconds a mailbox stays this gateway's without renewal (90)")
    p.add_argument("--max-message-mb", type=arg.whole_number(1, 500), default=25, metavar="MB",
                   help="larger messages are taken in with their header only (25)")
    p.add_argument("--max-attachment-mb", type=arg.whole_number(1, 500), default=25, metavar="MB",
                   help="larger attachments are recorded but not kept (25)")
    p.add_argument("--http", type=_host_port, metavar="HOST:PORT",
                   help="serve the channels' webhooks and the web chat here (behind a TLS "
                        "reverse proxy; see docs/channels.md)")
    p.add_argument("--log-level", choices=("debug", "info", "warning"), default="info")
    p.set_defaults(func=cmd_gateway)


@needs_no_person("the gateway is a service, acting as the gateway principal, which may do "
                 "only the gateway's own work")
def cmd_gateway(args: argparse.Namespace) -> int:
    from console.channels.gateway import Gateway, GatewayOptions, default_name, gateway_principal
    from console.security.guard import authorize

    _log_to_stderr(args.log_level)
    name = args.name or default_name()
    options = GatewayOptions(
        name=name, poll_interval_s=float(args.poll_interval),
        lease_ttl=timedelta(seconds=args.lease),
        max_message_bytes=args.max_message_mb * 1024 * 1024,
        max_attachment_bytes=args.max_attachment_mb * 1024 * 1024, http=args.http)
    with command_services(args) as services:
        door = authorize(services, gateway_principal(name, os_user=_os_user()))
        gateway = Gateway(door, options)
        if args.once:
            report = gateway.run_once()
            print(report.summary())
            return 1 if any(not why.startswith("read by") for why in report.skipped.values()) else 0
        stop = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %d: stopping after the current step", signum)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            gateway.serve(stop)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"'{text[:60]}' is not HOST:PORT (e.g. 127.0.0.1:8080)")
    return host, int(port)


def _log_to_stderr(level: str) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_switchboard_gateway", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s: "
                                               "%(message)s"))
        handler._switchboard_gateway = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper()))
    # imapclient logs every command at debug, passwords masked; keep that for --log-level debug.
    logging.getLogger("imapclient").setLevel(logging.DEBUG if level == "debug" else logging.WARNING)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
