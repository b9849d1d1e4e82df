"""Demo KB: the hand-written sample articles shipped in resources/kb, then synthetic ones."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import resources
from console.clock import ManualClock
from console.demo import kb_content
from console.demo.bulk import BATCH_ROWS, insert_rows, table_of
from console.services.kb_rows import article_row
from console.store.db import Database
from console.store.models import KbArticle

_SAMPLE_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt")  # what KbService reads


def sample_folder() -> Path:
    return resources.path("kb")


def has_samples(folder: Path) -> bool:
    """True when the folder holds article files (not just a placeholder)."""
    return folder.is_dir() and any(
        p.is_file() and p.suffix.lower() in _SAMPLE_SUFFIXES and not p.name.startswith(("_", "."))
        for p in folder.rglob("*"))


def article_count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(KbArticle)).scalar_one())


def import_samples(db: Database, now: datetime, folder: Path | None = None) -> int:
    """Imports the shipped sample articles through the KB service; returns how many."""
    folder = folder or sample_folder()
    if not has_samples(folder):
        return 0
    from console.services.kb import KbService  # the service owns the import format

    before = article_count(db)
    KbService(db, ManualClock(now)).import_path(folder)
    return article_count(db) - before


def insert_synthetic(db: Database, rng: random.Random, count: int, now: datetime,
                     progress: Callable[[int], None]) -> int:
    """Adds ``count`` generated articles in one transaction; returns how many."""
    table = table_of(KbArticle)
    done = 0
    with db.write() as s:
        conn = s.connection()
        batch: list[dict[str, Any]] = []
        for seq in range(1, count + 1):
            a = kb_content.article(rng, seq)
            updated = now - timedelta(days=rng.randrange(720), seconds=rng.randrange(86400))
            batch.append(article_row(a.slug, a.title, a.body, a.category, a.tags, a.language,
                                     updated))
            if len(batch) >= BATCH_ROWS or seq == count:
                done += insert_rows(conn, table, batch)
                batch = []
                progress(done)
    return done
