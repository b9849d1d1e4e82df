"""The stored form of a KB article: search columns and content hash, for every writer."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from console import text


def content_hash(title: str, body: str, category: str, tags: str, language: str) -> str:
    joined = "\x1f".join((title, body, category, tags, language))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def article_row(slug: str, title: str, body: str, category: str, tags: str, language: str,
                now: datetime) -> dict[str, Any]:
    """The column values for kb_articles (the search index follows by trigger/generation)."""
    return {
        "slug": slug,
        "title": title,
        "body": body,
        "category": category,
        "tags": tags,
        "language": language,
        "content_hash": content_hash(title, body, category, tags, language),
        "updated_at": now,
        "search_title": text.index_text(f"{title} {tags}"),
        "search_body": text.index_text(body),
    }
