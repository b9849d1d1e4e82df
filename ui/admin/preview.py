"""A template filled in for a sample contact, so an admin sees what agents will say.

The preview is computed in memory with the same parser the services use
(console.services.templates), so it is instant while typing, needs no
database, and rejects exactly the templates that saving would reject.
"""

from __future__ import annotations

from datetime import datetime

from console import text
from console.services.templates import greeting, render_text

_SAMPLE = {
    "customer.first_name": "Alice", "customer.last_name": "Smith",
    "customer.name": "Alice Smith", "customer.name_kana": "",
    "queue.name": "Cards", "contact.subject": "Lost card", "contact.id": "1042",
    "contact.channel": "phone", "company.name": "Switchboard Bank",
}
_SAMPLE_JA = {
    "customer.first_name": "太郎", "customer.last_name": "山田", "customer.name": "山田 太郎",
    "customer.name_kana": "ヤマダ タロウ", "contact.subject": "住宅ローンの相談",
}


def sample_values(agent_name: str, language: str, local_now: datetime) -> dict[str, str]:
    """Placeholder values for a sample customer served by ``agent_name`` at ``local_now``."""
    parts = agent_name.split() or [""]
    first, last = (parts[-1], parts[0]) if text.has_cjk(agent_name) else (parts[0], parts[-1])
    values = dict(_SAMPLE, **{"agent.name": agent_name, "agent.first_name": first,
                              "agent.last_name": last,
                              "greeting": greeting(local_now, language)})
    if language == "ja":
        values.update(_SAMPLE_JA)
    return values


def preview(body: str, agent_name: str, language: str, local_now: datetime) -> str:
    """The body filled in for the sample contact.

    Raises:
        ValidationError: the template has bad syntax or an unknown placeholder.
    """
    return render_text(body, sample_values(agent_name, language, local_now))
