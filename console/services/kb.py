"""Knowledge-base search and import, on SQLite (FTS5) and PostgreSQL (tsvector).

Both backends index the same tokenised text (console.text: Latin words and
CJK bigrams). A query becomes token groups that must all match; a CJK group
matches as a phrase of its bigrams, so "口座解約" finds the article that
contains it and a two-character word like "口座" works. The backend query is
built from those tokens only, quoted, and sent as one bound parameter: the
user's text never becomes query syntax.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    bindparam,
    column,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from console import text
from console.clock import Clock
from console.domain import Article, ArticleHit
from console.errors import NotFound, ValidationError
from console.services.customers import clean_query
from console.services.kb_import import (
    ArticleFile,
    ImportProblem,
    ImportReport,
    field_problem,
    read_articles,
)
from console.services.kb_rows import article_row
from console.services.kb_snippet import snippet
from console.store import changes
from console.store.db import Database
from console.store.models import KbArticle

__all__ = ["ImportProblem", "ImportReport", "KbService"]

log = logging.getLogger(__name__)

MAX_LIMIT = 200
# Title matches count ten times a body match on SQLite (bm25 column weights);
# PostgreSQL weighs the title A (1.0) and the body D (0.1).
_TITLE_WEIGHT, _BODY_WEIGHT = 10.0, 1.0
# ts_rank normalisation 1 divides by 1 + log(length): a long article that
# mentions a word once does not beat a short one about it (like bm25's b).
_PG_NORMALISATION = 1
# FTS5 has no prefix index here: "a*" would read the postings of every word
# starting with "a" (~0.5 s at 100k articles). Shorter words match whole.
MIN_PREFIX = 3
# With a language filter, the best this many times ``limit`` hits are ranked
# first without it; the filtered top hits are exact if enough of them are in it.
_FILTER_HEADROOM = 4
_MAX_SIMILAR_WORDS = 6  # of a typo'd query, for "did you mean"
_IN_CHUNK = 500  # slugs per IN (...) lookup, well under every backend's parameter limit
# PostgreSQL's 'english' configuration drops these words from queries and
# documents; dropping them on SQLite too gives both backends the same results
# ("how to reset the password") and spares FTS5 ranking nearly every article.
_STOPWORD_LIST = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())

_FTS = table("kb_fts", column("rowid"), column("kb_fts"))
_PG_VECTOR: ColumnElement[Any] = literal_column("kb_articles.search_vector")
_HIT_COLUMNS = (KbArticle.id, KbArticle.title, KbArticle.body, KbArticle.category,
                KbArticle.language)


def search_groups(query: str) -> list[list[str]]:
    """The query's token groups that the index can match.

    Stop words go (see STOPWORDS). So do bigrams made only of punctuation
    (e.g. "・・"): both tokenizers drop it, which would leave an empty phrase.
    """
    groups = [[t for t in g if any(unicodedata.category(ch)[0] in "LN" for ch in t)]
              for g in text.query_groups(query) if g[0] not in STOPWORDS]
    return [g for g in groups if g]


def _prefix_groups(groups: list[list[str]]) -> set[int]:
    """Which groups match as a prefix.

    The last Latin word, the one the agent may still be typing ("passw"), if
    it has MIN_PREFIX letters. And a lone CJK character: the index holds
    bigrams, so "円" must match "円の".
    """
    latin = [i for i, g in enumerate(groups) if not text.has_cjk(g[0])]
    lone = {i for i, g in enumerate(groups) if len(g[0]) == 1 and i not in latin}
    typing = {latin[-1]} if latin and len(groups[latin[-1]][0]) >= MIN_PREFIX else set()
    return lone | typing


def fts5_query(groups: list[list[str]]) -> str:
    """An FTS5 MATCH expression: every group a quoted phrase, joined by AND."""
    prefixes = _prefix_groups(groups)
    phrases = ('"' + " ".join(t.replace('"', '""') for t in g) + '"' + ("*" if i in prefixes
               else "") for i, g in enumerate(groups))
    return " AND ".join(phrases)


def tsquery(groups: list[list[str]]) -> str:
    """A to_tsquery expression: quoted lexemes, ``<->`` inside a group, ``&`` between."""
    prefixes = _prefix_groups(groups)
    parts = []
    for i, group in enumerate(groups):
        words = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in group]
        if i in prefixes:
            words[-1] += ":*"
        parts.append("(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


class KbService:
    """Searching, reading and importing knowledge-base articles.

    Args:
        db: the database.
        clock: where "now" comes from (an article's updated_at).
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def search(self, query: str, *, language: str | None = None,
               limit: int = 20) -> list[ArticleHit]:
        """Articles matching every word of ``query``, best first.

        Args:
            query: what the agent typed; the last Latin word may be unfinished.
            language: only articles in this language ("en", "ja"), or all.
            limit: at most this many hits (1 to MAX_LIMIT).

        Raises:
            ValidationError: the query is empty, too long or has control characters.
        """
        groups = search_groups(clean_query(query))
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(f"Ask for between 1 and {MAX_LIMIT} results, not {limit}.")
        if not groups:
            return []  # only punctuation: nothing to look for, but not a mistake
        with self._db.read() as session:
            if self._db.is_postgres:
                rows = _search_postgres(session, tsquery(groups), language, limit)
            else:
                rows = _search_sqlite(session, fts5_query(groups), language, limit)
        # Snippets are built only for the hits, outside the session.
        return [ArticleHit(r.id, r.title, snippet(r.body, groups), r.category, r.language,
                           float(r.score)) for r in rows]

    def similar_titles(self, query: str, *, language: str | None = None,
                       limit: int = 5) -> list[ArticleHit]:
        """"Did you mean": titles that look like a query that found nothing (a typo).

        On PostgreSQL, pg_trgm's word similarity over a trigram index on the
        title. SQLite has no trigram similarity, so it suggests nothing.
        """
        cleaned = clean_query(query)
        words = [w for w in cleaned.lower().split() if len(w) >= MIN_PREFIX
                 and w not in STOPWORDS][:_MAX_SIMILAR_WORDS]
        if not self._db.is_postgres or text.has_cjk(cleaned) or not words:
            return []
        with self._db.read() as session:
            rows = _similar_titles(session, words, language, min(limit, MAX_LIMIT))
        return [ArticleHit(r.id, r.title, snippet(r.body, []), r.category, r.language,
                           float(r.score)) for r in rows]

    def get(self, article_id: int) -> Article:
        """One article, for reading in full.

        Raises:
            NotFound: no article has this id.
        """
        with self._db.read() as session:
            row = session.get(KbArticle, article_id)
            if row is None:
                raise NotFound(f"Knowledge-base article {article_id} does not exist; it may "
                               "have been removed. Search again.")
            return Article(row.id, row.slug, row.title, row.body, row.category,
                           tuple(t for t in row.tags.split(",") if t), row.language,
                           row.updated_at)

    def upsert(self, slug: str, title: str, body: str, *, category: str = "",
               tags: Sequence[str] = (), language: str | None = None) -> tuple[int, str]:
        """Adds the article named ``slug``, or updates it when its content changed.

        Returns:
            The article's id and "added", "updated" or "unchanged".

        Raises:
            ValidationError: a field is empty, too long or not text.
        """
        article = ArticleFile("", slug, title, body, category, tuple(tags), language)
        with self._db.write() as session:
            return _write_articles(session, [_checked_row(article, self._clock.now())])[0]

    def import_path(self, path: Path) -> ImportReport:
        """Imports a file, or every Markdown/HTML/text file under a folder.

        All usable files are written in one transaction; unusable ones are
        listed in the report and change nothing. Importing again updates the
        articles whose files changed (articles are named by their path).

        Raises:
            ValidationError: ``path`` does not exist.
        """
        if not path.exists():
            raise ValidationError(f"There is no file or folder at {path}.")
        articles, problems = read_articles(path)
        now = self._clock.now()
        rows = [_checked_row(article, now) for article in articles]
        outcomes: list[tuple[int, str]] = []
        if rows:
            with self._db.write() as session:
                outcomes = _write_articles(session, rows)
        counts = {kind: sum(1 for _, o in outcomes if o == kind)
                  for kind in ("added", "updated", "unchanged")}
        report = ImportReport(**counts, problems=tuple(problems))
        log.info("KB import of %s: %s", path, report.summary())
        return report


def _checked_row(article: ArticleFile, now: datetime) -> dict[str, Any]:
    """The kb_articles row for an article, or ValidationError saying what is wrong."""
    # Tags are stored comma-separated, so a comma inside one makes two.
    parts = (" ".join(part.split()) for tag in article.tags for part in tag.split(","))
    tags = ",".join(part for part in parts if part)
    language = article.language or ("ja" if text.has_cjk(article.title + article.body)
                                     else "en")
    problem = field_problem(article.slug, article.title, article.body, article.category,
                            tags, language)
    if problem:
        raise ValidationError(problem)
    return article_row(article.slug, article.title, article.body, article.category, tags,
                       language, now)


def _write_articles(session: Session, rows: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """Inserts new slugs and updates changed ones; returns (id, outcome) per row."""
    slugs = [row["slug"] for row in rows]
    stored: dict[str, tuple[int, str]] = {}
    for at in range(0, len(slugs), _IN_CHUNK):
        found = session.execute(
            select(KbArticle.slug, KbArticle.id, KbArticle.content_hash)
            .where(KbArticle.slug.in_(slugs[at : at + _IN_CHUNK])))
        stored.update({slug: (id_, digest) for slug, id_, digest in found})
    outcomes: list[tuple[int, str]] = []
    for row in rows:
        old = stored.get(row["slug"])
        if old is None:
            new_id = session.execute(
                insert(KbArticle).values(row).returning(KbArticle.id)).scalar_one()
            changes.record(session, "kb_article", new_id, "insert")
            outcomes.append((new_id, "added"))
        elif old[1] == row["content_hash"]:
            outcomes.append((old[0], "unchanged"))
        else:
            session.execute(sql_update(KbArticle).where(KbArticle.id == old[0]).values(row))
            changes.record(session, "kb_article", old[0], "update")
            outcomes.append((old[0], "updated"))
    return outcomes


def _search_sqlite(session: Session, match: str, language: str | None,
                   limit: int) -> Sequence[Row[Any]]:
    """The best hits by bm25, then one join fetches their rows.

    bm25 is computed for every match, and a language filter costs a row
    lookup per match; so a filtered search first ranks ``_FILTER_HEADROOM``
    times ``limit`` unfiltered candidates, which is enough when the query's
    language is the filter's (the usual case), and only then ranks them all.
    """
    if language is None:
        return _sqlite_hits(session, match, None, limit, limit)
    wanted = limit * _FILTER_HEADROOM
    hits = _sqlite_hits(session, match, language, wanted, limit)
    if len(hits) == limit or _sqlite_count_at_most(session, match, wanted) < wanted:
        return hits
    return _sqlite_hits(session, match, language, None, limit)


def _sqlite_hits(session: Session, match: str, language: str | None, candidates: int | None,
                 limit: int) -> Sequence[Row[Any]]:
    """The top ``candidates`` matches by rank (all when None), then ``language``, ``limit``."""
    # Ordered by the label: repeating the call would compute bm25 twice per match.
    rank = func.bm25(literal_column("kb_fts"), _TITLE_WEIGHT, _BODY_WEIGHT).label("rank")
    ranked = (select(_FTS.c.rowid.label("id"), rank)
              .where(_FTS.c.kb_fts.op("MATCH")(bindparam("match", match))))
    if candidates is None and language is not None:
        ranked = ranked.join(KbArticle, KbArticle.id == _FTS.c.rowid).where(
            KbArticle.language == language)
    hits = ranked.order_by(rank, _FTS.c.rowid).limit(candidates or limit).subquery()
    stmt = (select(*_HIT_COLUMNS, (-hits.c.rank).label("score"))
            .join(hits, hits.c.id == KbArticle.id).order_by(hits.c.rank, hits.c.id))
    if candidates is not None and language is not None:
        stmt = stmt.where(KbArticle.language == language)
    return session.execute(stmt.limit(limit)).all()


def _sqlite_count_at_most(session: Session, match: str, cap: int) -> int:
    """How many articles match, counting no further than ``cap`` (cheap: no ranking)."""
    first = (select(_FTS.c.rowid).where(_FTS.c.kb_fts.op("MATCH")(bindparam("match", match)))
             .limit(cap).subquery())
    return int(session.execute(select(func.count()).select_from(first)).scalar_one())


def _search_postgres(session: Session, query: str, language: str | None,
                     limit: int) -> Sequence[Row[Any]]:
    """The GIN index finds the matches; ts_rank orders them."""
    tsq = func.to_tsquery(literal_column("'english'::regconfig"), bindparam("tsq", query))
    score = func.ts_rank(_PG_VECTOR, tsq, _PG_NORMALISATION).label("score")
    stmt = select(*_HIT_COLUMNS, score).where(_PG_VECTOR.op("@@")(tsq))
    if language is not None:
        stmt = stmt.where(KbArticle.language == language)
    return session.execute(stmt.order_by(score.desc(), KbArticle.id).limit(limit)).all()


def _similar_titles(session: Session, words: list[str], language: str | None,
                    limit: int) -> Sequence[Row[Any]]:
    """Titles close to any of ``words``, ranked by how close they are to all of them.

    pg_trgm's word similarity forgives a typo ("pasword", "tranfser"); the
    trigram GIN index on the title answers ``<%`` without reading every row.
    """
    params: list[BindParameter[str]] = [bindparam(f"w{i}", w) for i, w in enumerate(words)]
    score: ColumnElement[Any] = sum(
        (func.word_similarity(p, KbArticle.title) for p in params[1:]),
        func.word_similarity(params[0], KbArticle.title))
    near = or_(*(p.op("<%")(KbArticle.title) for p in params))
    stmt = select(*_HIT_COLUMNS, score.label("score")).where(near)
    if language is not None:
        stmt = stmt.where(KbArticle.language == language)
    return session.execute(stmt.order_by(score.desc(), KbArticle.id).limit(limit)).all()
