"""Everyday subcommands: inbox, claim, customers, history, kb, templates, agents.

Those that read or change contact and customer records act as the signed-in
person (console.cli.person); KB search, the template list and the agent list
hold no customer data and need nobody.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.cli import args as arg
from console.cli.output import print_json, print_table, when
from console.cli.person import command_services, needs_no_person, signed_in
from console.domain import Channel, ContactStatus
from console.errors import ValidationError
from console.services.inbox import MAX_BODY, new_idempotency_key

if TYPE_CHECKING:
    from console.security.guard import Door



def register(sub: Any) -> None:
    _inbox(sub)
    claim = sub.add_parser("claim", help="take a contact (exit 3 when someone else has it)")
    claim.add_argument("contact_id", type=arg.row_id, metavar="CONTACT_ID")
    claim.add_argument("--agent", type=arg.login, required=True, metavar="LOGIN")
    claim.add_argument("--json", action="store_true")
    claim.set_defaults(func=cmd_claim)
    _reply(sub)
    _customers(sub)
    hist = sub.add_parser("history", help="a customer's history across channels, newest first")
    hist.add_argument("customer_id", type=arg.row_id, metavar="CUSTOMER_ID")
    hist.add_argument("--channel", choices=[c.value for c in Channel])
    hist.add_argument("--limit", type=arg.limit(500), default=50)
    hist.add_argument("--json", action="store_true")
    hist.set_defaults(func=cmd_history)
    _kb(sub)
    _templates(sub)
    agents = sub.add_parser("agents", help="list agents, their roles and queues")
    agents.add_argument("--json", action="store_true")
    agents.set_defaults(func=cmd_agents)


def _inbox(sub: Any) -> None:
    p = sub.add_parser("inbox", help="list contacts")
    p.add_argument("--queue", type=arg.name, action="append", default=[], metavar="Q",
                   help="queue name (repeat)")
    p.add_argument("--status", action="append", default=[], metavar="S",
                   choices=[s.value for s in ContactStatus], help="status (repeat; default active)")
    p.add_argument("--channel", action="append", default=[], choices=[c.value for c in Channel])
    p.add_argument("--assignee", type=arg.login, metavar="LOGIN")
    p.add_argument("--unassigned", action="store_true")
    p.add_argument("--sort", type=arg.text(32, "the sort"), default="priority")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument("--limit", type=arg.limit(1000), default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_inbox)


def _reply(sub: Any) -> None:
    p = sub.add_parser("reply", help="write a reply to the customer on a contact")
    p.add_argument("contact_id", type=arg.row_id, metavar="CONTACT_ID")
    p.add_argument("--agent", type=arg.login, required=True, metavar="LOGIN",
                   help="who replies (yourself, or an agent you act for as a supervisor)")
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--text", type=arg.text(MAX_BODY, "the reply"), metavar="TEXT")
    body.add_argument("--text-file", type=arg.path, metavar="FILE",
                      help="the reply in a UTF-8 text file (several lines; '-' for stdin)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reply)


def _customers(sub: Any) -> None:
    p = sub.add_parser("customers", help="customer look-ups")
    csub = p.add_subparsers(dest="customers_command", metavar="ACTION", required=True)
    find = csub.add_parser("find", help="find by phone, e-mail, account number or name")
    find.add_argument("query", type=arg.query, metavar="QUERY")
    find.add_argument("--by", default="auto", choices=["auto", "phone", "email", "account", "name"])
    find.add_argument("--limit", type=arg.limit(200), default=20)
    find.add_argument("--json", action="store_true")
    find.set_defaults(func=cmd_customers_find)


def _kb(sub: Any) -> None:
    p = sub.add_parser("kb", help="knowledge base")
    ksub = p.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    search = ksub.add_parser("search", help="full-text search (English and Japanese)")
    search.add_argument("query", type=arg.query, metavar="QUERY")
    search.add_argument("--language", choices=["en", "ja"])
    search.add_argument("--limit", type=arg.limit(200), default=10)
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_kb_search)
    imp = ksub.add_parser("import", help="import a folder of Markdown/HTML/text articles")
    imp.add_argument("path", type=arg.path, metavar="PATH")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_kb_import)


def _templates(sub: Any) -> None:
    p = sub.add_parser("templates", help="greeting scripts")
    tsub = p.add_subparsers(dest="templates_command", metavar="ACTION", required=True)
    render = tsub.add_parser("render", help="fill in a template for a contact and agent")
    render.add_argument("name", type=arg.name, metavar="NAME")
    render.add_argument("--contact", type=arg.row_id, required=True, metavar="ID")
    render.add_argument("--agent", type=arg.login, required=True, metavar="LOGIN")
    render.set_defaults(func=cmd_templates_render)
    lst = tsub.add_parser("list", help="list templates")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_templates_list)


@signed_in
def cmd_inbox(args: argparse.Namespace, door: Door) -> int:
    from console.services.inbox_query import InboxFilter

    f = InboxFilter(queues=tuple(args.queue), channels=tuple(Channel(c) for c in args.channel),
                    assignee=args.assignee, unassigned=args.unassigned,
                    statuses=tuple(ContactStatus(s) for s in args.status) or InboxFilter().statuses)
    rows = door.inbox.search(f, sort=args.sort, descending=args.desc, limit=args.limit)
    if args.json:
        print_json(rows)
    else:
        print_table(["ID", "CHANNEL", "STATUS", "PRI", "QUEUE", "CUSTOMER", "ASSIGNEE", "SINCE",
                     "SUBJECT"],
                    [(r.id, r.channel.value, r.status.value, r.priority.name.lower(), r.queue_name,
                      r.customer_name, r.assignee_login or "-", when(r.created_at), r.subject)
                     for r in rows])
    return 0


@signed_in
def cmd_reply(args: argparse.Namespace, door: Door) -> int:
    body = args.text if args.text is not None else _read_text_file(args.text_file)
    posted = door.inbox.reply(args.contact_id, args.agent, body,
                              idempotency_key=new_idempotency_key()).value
    if args.json:
        print_json(posted)
    else:
        # Stored, not sent: the channel gateway delivers it (and records whether it could).
        queued = (" and queued for the gateway to send" if posted.message.delivery is not None
                  else "")
        print(f"Reply recorded on contact {posted.contact.id} as message {posted.message.id}"
              f"{queued}.")
    return 0


def _read_text_file(path: Path) -> str:
    """The reply's text from a file (or stdin for '-'), as UTF-8, within the message limit."""
    try:
        raw = sys.stdin.buffer.read(MAX_BODY * 4 + 1) if str(path) == "-" else \
            path.read_bytes()[:MAX_BODY * 4 + 1]
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"{path} is not UTF-8 text.") from None


@signed_in
def cmd_claim(args: argparse.Namespace, door: Door) -> int:
    row = door.inbox.claim(args.contact_id, args.agent).value
    if args.json:
        print_json(row)
    else:
        print(f"Contact {row.id} is now yours, {row.assignee_name}."
              if row.assignee_login == door.principal.login else
              f"Contact {row.id} is now {row.assignee_name}'s, claimed for them by "
              f"{door.principal.name}.")
    return 0


@signed_in
def cmd_customers_find(args: argparse.Namespace, door: Door) -> int:
    found = door.customers.find(args.query, by=args.by, limit=args.limit)
    if args.json:
        print_json(found)
    else:
        print_table(["ID", "NAME", "KANA", "LANG", "PHONES", "ACCOUNTS"],
                    [(c.id, c.display_name, c.name_kana or "", c.language, " ".join(c.phones),
                      " ".join(a.masked_number for a in c.accounts)) for c in found])
    return 0


@signed_in
def cmd_history(args: argparse.Namespace, door: Door) -> int:
    page = door.customers.history(args.customer_id, limit=args.limit,
                                  channel=Channel(args.channel) if args.channel else None)
    if args.json:
        print_json(page)
    else:
        print_table(["WHEN", "CHANNEL", "WHAT", "CONTACT", "AGENT", "TEXT"],
                    [(when(e.at), e.channel.value, e.kind, e.contact_id, e.agent or "-",
                      e.text[:60]) for e in page.entries])
    return 0


@needs_no_person("knowledge-base articles are not customer records")
def cmd_kb_search(args: argparse.Namespace) -> int:
    with command_services(args) as sv:
        hits = sv.kb.search(args.query, language=args.language, limit=args.limit)
    if args.json:
        print_json(hits)
    else:
        print_table(["ID", "LANG", "SCORE", "TITLE"],
                    [(h.id, h.language, f"{h.score:.2f}", h.title) for h in hits])
    return 0


@signed_in
def cmd_kb_import(args: argparse.Namespace, door: Door) -> int:
    report = door.kb.import_path(args.path)
    if args.json:
        print_json(report)
    else:
        print(report.summary())
        for problem in report.problems:
            print(f"  {problem.path}: {problem.reason}")
    return 1 if report.problems else 0


@signed_in
def cmd_templates_render(args: argparse.Namespace, door: Door) -> int:
    from console.errors import ValidationError

    rendered = door.templates.render(args.name, args.contact, args.agent)
    if rendered.error:
        raise ValidationError(f"Template '{args.name}' ({rendered.template.language}): "
                              f"{rendered.error}")
    print(rendered.text)
    return 0


@needs_no_person("greeting templates are not customer records")
def cmd_templates_list(args: argparse.Namespace) -> int:
    with command_services(args) as sv:
        templates = sv.templates.list()
    if args.json:
        print_json(templates)
    else:
        print_table(["ID", "LANG", "CHANNEL", "NAME"],
                    [(t.id, t.language, t.channel.value if t.channel else "any", t.name)
                     for t in templates])
    return 0


@needs_no_person("it lists staff, not customer records")
def cmd_agents(args: argparse.Namespace) -> int:
    with command_services(args) as sv:
        agents = sv.agents.list()
    if args.json:
        print_json(agents)
    else:
        print_table(["LOGIN", "NAME", "ROLE", "TEAM", "QUEUES"],
                    [(a.login, a.name, a.role.value, a.team or "-", ", ".join(a.queues))
                     for a in agents])
    return 0
