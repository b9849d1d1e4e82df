"""Greeting scripts: templates with placeholders, filled in for a contact and an agent.

Rendering walks the parsed template and looks each placeholder up in a flat
table of allowed names: no ``str.format`` attribute access, no expressions, so
a template can neither run code nor read anything outside that table.
"""

from __future__ import annotations

import builtins
import string
import tomllib
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import resources
from console import text
from console.clock import Clock
from console.domain import Channel, RenderedTemplate, TemplateInfo
from console.errors import NotFound, ValidationError
from console.services.rows import agent_by_login
from console.store import changes
from console.store.db import Database
from console.store.models import Contact, Customer, GreetingTemplate, Queue

PLACEHOLDERS = (
    "customer.first_name", "customer.last_name", "customer.name", "customer.name_kana",
    "agent.name", "agent.first_name", "agent.last_name", "queue.name", "contact.subject",
    "contact.id", "contact.channel", "greeting", "company.name",
)
_GREETINGS = {
    "en": ((5, "Good morning"), (12, "Good afternoon"), (18, "Good evening")),
    "ja": ((5, "おはようございます"), (11, "こんにちは"), (18, "こんばんは")),
}


def parse(body: str) -> list[tuple[str, str | None]]:
    """Splits a template into (literal, placeholder) pairs.

    Raises:
        ValidationError: naming the bad syntax or the unknown placeholder.
    """
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError as exc:
        raise ValidationError(f"Template syntax error: {exc} (write {{{{ for a literal brace).") from None
    out: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parts:
        if field is not None and (spec or conversion):
            raise ValidationError(f"Placeholder {{{field}}} may not have a format or conversion.")
        if field is not None and field not in PLACEHOLDERS:
            shown = field or "{}"
            raise ValidationError(
                f"Unknown placeholder {{{shown}}}; allowed: {', '.join(PLACEHOLDERS)}.")
        out.append((literal, field))
    return out


def render_text(body: str, values: Mapping[str, str]) -> str:
    return "".join(literal + (values[field] if field else "") for literal, field in parse(body))


def greeting(local: datetime, language: str) -> str:
    """The time-of-day greeting in ``language`` (English when we have no table for it)."""
    table = _GREETINGS.get(language, _GREETINGS["en"])
    chosen = table[-1][1]
    for start, words in table:
        if local.hour >= start:
            chosen = words
    return chosen


def _split_name(name: str) -> tuple[str, str]:
    """(first, last) of an agent's display name; CJK names are written family first."""
    parts = name.split()
    if not parts:
        return "", ""
    if text.has_cjk(name):
        return parts[-1], parts[0]
    return parts[0], parts[-1]


def load_defaults() -> list[dict[str, str | None]]:
    """The shipped templates from resources/templates/greetings.toml."""
    data = tomllib.loads(resources.path("templates", "greetings.toml").read_text("utf-8"))
    return [{"name": t["name"], "language": t["language"], "channel": t.get("channel"),
             "category": t.get("category", "greeting"), "body": t["body"]}
            for t in data["template"]]


class TemplateService:
    """Listing, saving and rendering greeting templates.

    Args:
        db: the database.
        clock: where "now" comes from (for the time-of-day greeting).
        timezone: the site's time zone, e.g. "Asia/Tokyo".
        company: the name templates say as {company.name}.
    """

    def __init__(self, db: Database, clock: Clock, timezone: str = "Asia/Tokyo",
                 company: str = "Switchboard Bank") -> None:
        self._db = db
        self._clock = clock
        self._tz = ZoneInfo(timezone)
        self._company = company

    def list(self, *, language: str | None = None,
             channel: Channel | None = None) -> builtins.list[TemplateInfo]:
        with self._db.read() as s:
            return [_info(t) for t in self._matching(s, language, channel)]

    def save(self, name: str, language: str, body: str, *, channel: Channel | None = None,
             category: str = "greeting") -> TemplateInfo:
        """Creates or updates a template after checking it parses."""
        if not name.strip():
            raise ValidationError("A template needs a name.")
        parse(body)
        with self._db.write() as s:
            tpl = s.execute(select(GreetingTemplate).where(
                GreetingTemplate.name == name, GreetingTemplate.language == language)).scalar()
            if tpl is None:
                tpl = GreetingTemplate(name=name, language=language)
                s.add(tpl)
            tpl.body, tpl.channel, tpl.category = body, channel, category
            tpl.active, tpl.updated_at = True, self._clock.now()
            s.flush()
            changes.record(s, "template", tpl.id)
            return _info(tpl)

    def render(self, name: str, contact_id: int, agent_login: str) -> RenderedTemplate:
        """Renders the named template in the customer's language (English as fallback)."""
        with self._db.read() as s:
            values, language = self._values(s, contact_id, agent_login)
            tpls = {t.language: t for t in s.execute(
                select(GreetingTemplate).where(GreetingTemplate.name == name,
                                               GreetingTemplate.active)).scalars()}
            tpl = tpls.get(language) or tpls.get("en") or next(iter(tpls.values()), None)
            if tpl is None:
                raise NotFound(f"There is no greeting template named '{name}'.")
            return self._render_one(tpl, values)

    def render_for_contact(self, contact_id: int, agent_login: str) -> builtins.list[RenderedTemplate]:
        """Every template that fits the contact's channel and language, filled in."""
        with self._db.read() as s:
            values, language = self._values(s, contact_id, agent_login)
            channel = s.get_one(Contact, contact_id).channel
            return [self._render_one(t, values) for t in self._matching(s, language, channel)]

    def _render_one(self, tpl: GreetingTemplate, values: dict[str, str]) -> RenderedTemplate:
        local = dict(values, greeting=greeting(self._clock.now().astimezone(self._tz),
                                               tpl.language))
        if tpl.language == "ja":
            local.update({k[3:]: v for k, v in local.items() if k.startswith("ja.")})
        try:
            return RenderedTemplate(_info(tpl), render_text(tpl.body, local), None)
        except ValidationError as exc:
            return RenderedTemplate(_info(tpl), None, exc.message)

    def _matching(self, s: Session, language: str | None,
                  channel: Channel | None) -> builtins.list[GreetingTemplate]:
        stmt = select(GreetingTemplate).where(GreetingTemplate.active)
        if language:
            stmt = stmt.where(GreetingTemplate.language == language)
        if channel:
            stmt = stmt.where(or_(GreetingTemplate.channel.is_(None),
                                  GreetingTemplate.channel == channel))
        order = (GreetingTemplate.category, GreetingTemplate.channel.is_(None),
                 GreetingTemplate.name)
        return list(s.execute(stmt.order_by(*order)).scalars())

    def _values(self, s: Session, contact_id: int, agent_login: str) -> tuple[dict[str, str], str]:
        contact = s.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"There is no contact {contact_id}.")
        agent = agent_by_login(s, agent_login)
        first, last = _split_name(agent.name)
        values = {"agent.name": agent.name, "agent.first_name": first, "agent.last_name": last,
                  "queue.name": s.get_one(Queue, contact.queue_id).name,
                  "contact.subject": contact.subject, "contact.id": str(contact.id),
                  "contact.channel": contact.channel.value, "company.name": self._company}
        customer = s.get(Customer, contact.customer_id) if contact.customer_id else None
        values.update(_customer_values(customer))
        return values, customer.language if customer else "en"


def _customer_values(c: Customer | None) -> dict[str, str]:
    """Customer placeholders; ``ja.*`` variants replace them in Japanese templates."""
    if c is None:
        return {"customer.first_name": "", "customer.last_name": "", "customer.name": "",
                "customer.name_kana": ""}
    values = {
        "customer.first_name": c.given_name, "customer.last_name": c.family_name,
        "customer.name": f"{c.given_name} {c.family_name}",
        "customer.name_kana": f"{c.family_name_kana or ''} {c.given_name_kana or ''}".strip(),
    }
    if c.family_name_kanji:
        values.update({"ja.customer.first_name": c.given_name_kanji or c.given_name,
                       "ja.customer.last_name": c.family_name_kanji,
                       "ja.customer.name": f"{c.family_name_kanji} {c.given_name_kanji or ''}".strip()})
    return values


def _info(t: GreetingTemplate) -> TemplateInfo:
    return TemplateInfo(t.id, t.name, t.language, Channel(t.channel) if t.channel else None,
                        t.category, t.body)
