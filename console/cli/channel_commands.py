"""``switchboard channels``: the channel accounts the gateway takes mail in from and sends through.

Administrators only, through the door (each change audited). The mailbox
password is read from standard input (``--password-stdin``, after the
signer's own when ``--user`` is given) or asked at the terminal, and kept
in the OS keyring or an owner-only file (console.channels.secrets): run
``channels add`` as the OS user the gateway runs as, on its machine.
``channels set`` changes what an account's replies carry (From name,
signature, charset, how long a resolved contact reopens).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.cli import args as arg
from console.cli.output import print_json, print_table, when
from console.cli.person import signed_in
from console.errors import ValidationError

if TYPE_CHECKING:
    from console.domain.channel_accounts import ChannelAccountInfo
    from console.security.guard import Door

MAX_URL = 500  # console.channels.endpoints.MAX_URL
MAX_ADDRESS = 254
# The service checks these again (console.services._reply_settings, console.channels.mail.compose).
MAX_FROM_NAME = 120
MAX_SIGNATURE = 2_000
MAX_REOPEN_DAYS = 365
DEFAULT_REOPEN_DAYS = 7
CHARSETS = ("utf-8", "iso-2022-jp")


def register(sub: Any) -> None:
    p = sub.add_parser("channels", help="channel accounts (e-mail) the gateway serves (admins)")
    csub = p.add_subparsers(dest="channels_command", metavar="ACTION", required=True)
    add = csub.add_parser("add", help="add a channel account")
    kinds = add.add_subparsers(dest="kind", metavar="KIND", required=True)
    email = kinds.add_parser("email", help="an e-mail account: IMAP in, SMTP out")
    email.add_argument("name", type=arg.name, metavar="NAME")
    email.add_argument("--address", required=True, type=arg.text(MAX_ADDRESS, "the address"),
                       metavar="ADDR", help="the account's own address (From of replies)")
    email.add_argument("--imap-url", required=True, type=arg.text(MAX_URL, "the URL"), metavar="URL",
                       help="imap[s]://USER@HOST[:PORT][/MAILBOX][?starttls=1]")
    email.add_argument("--smtp-url", required=True, type=arg.text(MAX_URL, "the URL"), metavar="URL",
                       help="smtp[s]://[USER@]HOST[:PORT][?starttls=1]")
    email.add_argument("--queue", required=True, type=arg.name, metavar="QUEUE",
                       help="the queue its mail goes to")
    secret = email.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help=(
        "read the mailbox password from standard input (after yours, with --user); "
        "without it, asked at the terminal (empty: none)"))
    secret.add_argument("--password-env", type=arg.text(100, "the variable's name"), metavar="NAME",
                        help=("on a headless server: the gateway reads the password from its "
                              "environment variable NAME; nothing is stored"))
    _reply_options(email, adding=True)
    email.set_defaults(func=cmd_channels_add_email)
    for kind, text in (("line", "a LINE Official Account (Messaging API)"),
                       ("twilio", "an SMS number at Twilio"),
                       ("messenger", "a Facebook Page's Messenger"),
                       ("cti", "the phone system's call events (screen pop)"),
                       ("webchat", "the web chat on the bank's own site")):
        messaging = kinds.add_parser(kind, help=text)
        messaging.add_argument("name", type=arg.name, metavar="NAME")
        messaging.add_argument("--queue", required=True, type=arg.name, metavar="QUEUE",
                               help="the queue its contacts go to")
        given = messaging.add_mutually_exclusive_group()
        given.add_argument("--secrets-stdin", action="store_true", help=(
            "read the channel's secrets as KEY=VALUE lines from standard input (after your "
            "password, with --user), until its end"))
        given.add_argument("--secrets-env", type=arg.text(100, "the variable's name"),
                           metavar="NAME", help="on a headless server: the gateway's environment "
                                                "variable NAME holds the KEY=VALUE lines")
        messaging.add_argument("--api-base", type=arg.text(MAX_URL, "the URL"), metavar="URL",
                               help="the provider's scheme and host replaced (a regional or "
                                    "test endpoint); its paths are kept")
        if kind == "twilio":
            messaging.add_argument("--public-url", type=arg.text(MAX_URL, "the URL"),
                                   metavar="URL", help="the webhook's public URL as Twilio "
                                                       "signs it (behind a proxy)")
        if kind == "cti":
            messaging.add_argument("--originate-url", type=arg.text(MAX_URL, "the URL"),
                                   metavar="URL", default="", help=(
                                       "click-to-dial: the phone system's URL with {extension} "
                                       "and {number} in it (POSTed)"))
        messaging.set_defaults(func=cmd_channels_add_messaging, kind=kind)
    ext = csub.add_parser("set-extension", help="an agent's phone extension on a CTI account "
                                                "(click-to-dial rings it; \"\" removes it)")
    ext.add_argument("name", type=arg.name, metavar="NAME")
    ext.add_argument("login", type=arg.login, metavar="LOGIN")
    ext.add_argument("extension", type=arg.text(32, "the extension"), metavar="EXTENSION")
    ext.set_defaults(func=cmd_channels_set_extension)
    lst = csub.add_parser("list", help="every account with its status (last poll, errors, queue)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_channels_list)
    show = csub.add_parser("show", help="one account, and where its password is kept")
    show.add_argument("name", type=arg.name, metavar="NAME")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_channels_show)
    change = csub.add_parser("set", help="change what an account's replies carry")
    change.add_argument("name", type=arg.name, metavar="NAME")
    _reply_options(change, adding=False)
    change.set_defaults(func=cmd_channels_set)
    for action, text, func in (
            ("disable", "pause an account (nothing queued is lost)", cmd_channels_disable),
            ("enable", "resume a paused account", cmd_channels_enable),
            ("remove", "delete an account and its password (refused while replies wait)",
             cmd_channels_remove)):
        cmd = csub.add_parser(action, help=text)
        cmd.add_argument("name", type=arg.name, metavar="NAME")
        cmd.set_defaults(func=func)


def _reply_options(command: argparse.ArgumentParser, *, adding: bool) -> None:
    """The reply settings: when adding, each has its default; when changing, one not given stays."""
    default = "default" if adding else "when adding"
    command.add_argument("--from-name", type=arg.text(MAX_FROM_NAME, "the From name"), metavar="NAME",
                         help="display name of replies' From (empty: the queue's name, the default)")
    signature = command.add_mutually_exclusive_group()
    signature.add_argument("--signature-file", type=arg.path, metavar="FILE", help=(
        f"UTF-8 text put under every reply after a '-- ' line (at most {MAX_SIGNATURE:,} characters)"))
    if not adding:
        signature.add_argument("--no-signature", action="store_true", help="replies carry no signature")
    command.add_argument("--charset", type=str.lower, choices=CHARSETS,
                         default=CHARSETS[0] if adding else None,
                         help=f"what replies are written in ({default}: {CHARSETS[0]})")
    command.add_argument("--reopen-days", type=arg.whole_number(0, MAX_REOPEN_DAYS), metavar="N",
                         default=DEFAULT_REOPEN_DAYS if adding else None, help=(
                             "for how many days after resolution a customer's answer reopens the "
                             f"contact instead of opening a new one (0-{MAX_REOPEN_DAYS}; "
                             f"{default}: {DEFAULT_REOPEN_DAYS})"))


def _read_signature(path: Path) -> str:
    """The signature file's text (UTF-8, a byte order mark allowed), read no further than it may be."""
    limit = MAX_SIGNATURE * 4 + 3  # four bytes a character at most, and the mark
    try:
        with path.open("rb") as file:
            raw = file.read(limit + 1)
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if len(raw) > limit:
        raise ValidationError(f"{path} is too long for a signature (at most {MAX_SIGNATURE:,} "
                              "characters).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{path} is not UTF-8 text.") from None
    if not text.strip():
        raise ValidationError(f"{path} is empty; to send replies without a signature, "
                              "use --no-signature.")
    return text


def _signature(args: argparse.Namespace) -> str | None:
    if getattr(args, "no_signature", False):
        return ""
    return None if args.signature_file is None else _read_signature(args.signature_file)


def _mailbox_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n") or None
    if not sys.stdin.isatty():
        return None
    return getpass.getpass("Mailbox password (empty for none): ") or None


@signed_in
def cmd_channels_add_email(args: argparse.Namespace, door: Door) -> int:
    signature = _signature(args)  # before the password: a bad file asks for nothing
    password = None if args.password_env else _mailbox_password(args)
    info = door.channels.add_email(args.name, address=args.address, imap_url=args.imap_url,
                                   smtp_url=args.smtp_url, queue=args.queue,
                                   password=password, password_env=args.password_env,
                                   from_name=args.from_name,
                                   signature=signature or "", charset=args.charset,
                                   reopen_days=args.reopen_days).value
    print(f"Channel account '{info.name}' added for queue {info.queue}; password: {info.secret}.")
    return 0


@signed_in
def cmd_channels_set(args: argparse.Namespace, door: Door) -> int:
    info = door.channels.update_settings(args.name, from_name=args.from_name,
                                         signature=_signature(args), charset=args.charset,
                                         reopen_days=args.reopen_days).value
    signature = _signature_summary(info.signature)
    print(f"Channel account '{info.name}' now replies as '{info.from_name}' in {info.charset}, "
          f"{'signature ' + signature if signature else 'no signature'}; "
          f"{_reopening(info.reopen_days)}.")
    return 0


@signed_in
def cmd_channels_add_messaging(args: argparse.Namespace, door: Door) -> int:
    from console.channels.messaging_accounts import REQUIRED, parse_secret_lines
    from console.domain.channel_accounts import ChannelKind

    kind = ChannelKind(args.kind)
    values = None
    if args.secrets_stdin:
        values = parse_secret_lines(sys.stdin.read(64 * 1024), kind)
    elif REQUIRED[kind] and args.secrets_env is None:
        print(f"switchboard: a {kind.value} channel needs its secrets "
              f"({', '.join(REQUIRED[kind])}): give them with --secrets-stdin or "
              "--secrets-env NAME.", file=sys.stderr)
        return 2
    info = door.channels.add_messaging(kind, args.name, queue=args.queue, secret_values=values,
                                       secrets_env=args.secrets_env,
                                       api_base=args.api_base,
                                       public_url=getattr(args, "public_url", None),
                                       originate_url=getattr(args, "originate_url", "")).value
    print(f"Channel account '{info.name}' ({kind.value}) added for queue {info.queue}; "
          f"secrets: {info.secret}. Webhook: /hooks/{kind.value}/{info.name}"
          if kind != ChannelKind.WEBCHAT else
          f"Channel account '{info.name}' (web chat) added for queue {info.queue}; "
          f"page: /chat/{info.name}/")
    return 0


@signed_in
def cmd_channels_set_extension(args: argparse.Namespace, door: Door) -> int:
    door.channels.set_extension(args.name, args.login, args.extension)
    print(f"{args.login}'s extension on '{args.name}': {args.extension or 'none'}.")
    return 0


@signed_in
def cmd_channels_list(args: argparse.Namespace, door: Door) -> int:
    accounts = door.channels.list()
    if args.json:
        print_json(accounts)
        return 0
    print_table(["NAME", "KIND", "QUEUE", "ADDRESS", "ENABLED", "LAST POLL", "QUEUED", "FAILED",
                 "LAST ERROR"],
                [(a.name, a.kind.value, a.queue, a.address, "yes" if a.enabled else "no",
                  when(a.status.last_poll_at), a.status.queued, a.status.failed,
                  _short(a.status.last_error)) for a in accounts])
    return 0


@signed_in
def cmd_channels_show(args: argparse.Namespace, door: Door) -> int:
    info = door.channels.show(args.name)
    if args.json:
        print_json(info)
        return 0
    _print_account(info)
    return 0


def _print_account(a: ChannelAccountInfo) -> None:
    lines = [("Name", a.name), ("Kind", a.kind.value), ("Queue", a.queue),
             ("Enabled", "yes" if a.enabled else "no (paused)"),
             *((key.replace("_", " ").capitalize(), _setting(key, value))
               for key, value in a.settings.items()),
             ("Password", a.secret), ("Last poll", when(a.status.last_poll_at)),
             ("Last error", f"{when(a.status.last_error_at)} {a.status.last_error}"
              if a.status.last_error else "-"),
             ("Polled by", a.status.lease_holder or "-"),
             ("Replies", f"{a.status.queued} queued, {a.status.failed} not delivered")]
    print_table(["", ""], [(f"{k}:", v) for k, v in lines])


@signed_in
def cmd_channels_disable(args: argparse.Namespace, door: Door) -> int:
    door.channels.disable(args.name)
    print(f"Channel account '{args.name}' paused: the gateway neither polls nor sends through it.")
    return 0


@signed_in
def cmd_channels_enable(args: argparse.Namespace, door: Door) -> int:
    door.channels.enable(args.name)
    print(f"Channel account '{args.name}' enabled.")
    return 0


@signed_in
def cmd_channels_remove(args: argparse.Namespace, door: Door) -> int:
    door.channels.remove(args.name)
    print(f"Channel account '{args.name}' removed, with its password.")
    return 0


def _setting(key: str, value: str) -> str:
    if key == "signature":
        return _signature_summary(value) or "none"
    if key == "reopen_days" and value.isdigit():
        return _reopening(int(value))
    return value


def _signature_summary(signature: str) -> str:
    """Its first line and how long it is (the whole is in --json); "" for none."""
    if not signature:
        return ""
    lines = signature.splitlines()
    more = f", {len(lines)} lines" if len(lines) > 1 else ""
    return f"'{_short(lines[0])}' ({len(signature):,} characters{more})"


def _reopening(days: int) -> str:
    if days == 0:
        return "an answer after resolution opens a new contact"
    return f"an answer within {days} day{'s' if days != 1 else ''} of resolution reopens the contact"


def _short(text: str | None) -> str:
    if not text:
        return "-"
    line = " ".join(text.split())
    return line if len(line) <= 50 else line[:49] + "…"
