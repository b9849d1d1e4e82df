"""How the CLI prints: JSON for scripts, aligned text for people."""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def print_json(value: Any) -> None:
    json.dump(_plain(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()  # a closed pipe shows up here, where the CLI handles it


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: kanji and kana (East Asian wide) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Prints rows under headers, columns padded to their widest cell (as a terminal shows it)."""
    text_rows = [[str(c) for c in row] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in text_rows])
              for i, h in enumerate(headers)]
    for row in [list(headers), *text_rows]:
        print("  ".join(cell + " " * (w - display_width(cell))
                        for cell, w in zip(row, widths, strict=True)).rstrip())


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"
