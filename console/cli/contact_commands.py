"""``switchboard contact show``: one contact with its customer and thread, as the window shows it.

A view of a customer record, so it acts as the signed-in person and the door
audits it (``inbox.detail``). Numbers typed in subjects, messages and file
names come masked, as everywhere; attachments are listed, never their bytes.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from console.cli import args as arg
from console.cli.output import display_width, print_json, when
from console.cli.person import signed_in
from console.domain import MessageKind
from console.domain.channel_accounts import DeliveryState
from console.units import human_size

if TYPE_CHECKING:
    from console.domain import AttachmentInfo, ContactDetail, MessageDelivery, MessageInfo
    from console.security.guard import Door


def register(sub: Any) -> None:
    p = sub.add_parser("contact", help="one contact: its customer, messages and deliveries")
    csub = p.add_subparsers(dest="contact_command", metavar="ACTION", required=True)
    show = csub.add_parser("show", help="a contact with its customer and every message, in order")
    show.add_argument("contact_id", type=arg.row_id, metavar="CONTACT_ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_contact_show)


@signed_in
def cmd_contact_show(args: argparse.Namespace, door: Door) -> int:
    detail = door.inbox.detail(args.contact_id)
    if args.json:
        print_json(contact_json(detail))
    else:
        _print_contact(detail)
    return 0


def contact_json(detail: ContactDetail) -> dict[str, Any]:
    """What ``--json`` prints: the contact, its customer and its messages."""
    c, customer = detail.contact, detail.customer
    return {
        "contact": {
            "id": c.id, "channel": c.channel.value, "queue": c.queue_name,
            "status": c.status.value, "priority": c.priority.name.lower(), "subject": c.subject,
            "assignee": ({"login": c.assignee_login, "name": c.assignee_name}
                         if c.assignee_login else None),
            "created_at": c.created_at, "updated_at": c.updated_at,
            "first_response_at": c.first_response_at, "resolved_at": c.resolved_at,
            "first_response_due": c.first_response_due, "resolution_due": c.resolution_due,
            "disposition": detail.disposition, "follows_contact_id": detail.follows_contact_id,
        },
        "customer": None if customer is None else {
            "id": customer.id, "name": customer.display_name, "emails": list(customer.emails)},
        "messages": [_message_json(m) for m in detail.messages],
    }


def _message_json(m: MessageInfo) -> dict[str, Any]:
    return {"id": m.id, "direction": m.kind.value, "author": m.author, "text": m.body,
            "created_at": m.created_at,
            "attachments": [{"name": a.filename, "type": a.content_type, "size": a.size,
                             "kept": a.kept, "note": a.note} for a in m.attachments],
            "delivery": _delivery_json(m.delivery)}


def _delivery_json(d: MessageDelivery | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"state": d.state.value, "reason": d.reason, "attempts": d.attempts,
            "smtp_response": d.smtp_response, "method": d.method,
            "next_attempt_at": d.next_attempt_at, "updated_at": d.updated_at}


def _print_contact(detail: ContactDetail) -> None:
    c, customer = detail.contact, detail.customer
    who = (f"{customer.display_name} (customer {customer.id})"
           + (f", {', '.join(customer.emails)}" if customer.emails else "")) if customer else "-"
    lines = [("Contact", f"{c.id} · {c.channel.value} · {c.queue_name} · {c.status.value}"),
             ("Subject", c.subject), ("Customer", who),
             ("Assignee", f"{c.assignee_name} ({c.assignee_login})" if c.assignee_login else "-"),
             ("Created", when(c.created_at)), ("Updated", when(c.updated_at)),
             ("First reply", when(c.first_response_at)), ("Resolved", when(c.resolved_at))]
    if detail.disposition:
        lines.append(("Disposition", detail.disposition))
    if detail.follows_contact_id:
        lines.append(("Follows", f"contact {detail.follows_contact_id}"))
    wide = max(display_width(k) for k, _v in lines) + 2
    for key, value in lines:
        print(f"{key}:".ljust(wide) + value)
    for m in detail.messages:
        print()
        author = m.author or (customer.display_name if customer and m.kind == MessageKind.INBOUND
                              else "-")
        state = f"  [{_delivery_text(m.delivery)}]" if m.delivery else ""
        print(f"{when(m.created_at)}  {m.kind.value}  {author}{state}")
        for line in m.body.splitlines() or [""]:
            print(f"    {line}")
        for a in m.attachments:
            print(f"    attachment: {_attachment_text(a)}")


def _delivery_text(d: MessageDelivery) -> str:
    text = d.state.value
    if d.state == DeliveryState.SENT:
        text += f" {when(d.updated_at)}" + (f" by {d.way}" if d.way else "")
    elif d.reason:
        text += f": {d.reason}"
    if d.retrying and d.next_attempt_at is not None:
        text += f" (retry at {when(d.next_attempt_at)})"
    return text


def _attachment_text(a: AttachmentInfo) -> str:
    text = f"{a.filename or '(no name)'} · {a.content_type} · {human_size(a.size)}"
    return text + (f" · not kept: {a.note or 'no reason recorded'}" if not a.kept else "")
