"""Knowledge base: search, snippets, upsert and import, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import resources
from console.clock import ManualClock
from console.domain import ArticleHit
from console.errors import NotFound, ValidationError
from console.services.kb import KbService, fts5_query, search_groups, tsquery
from console.services.kb_import import ImportProblem, ImportReport
from console.services.kb_snippet import snippet
from console.store.db import Database
from console.store.models import ChangeLogEntry, KbArticle

KB = resources.path("kb")
FILLER = ("Our branches accept cash deposits at the counter and at machines. Statements are "
          "available in the app every month, and paper statements can be ordered for a fee. ")


@pytest.fixture
def kb(db: Database, clock: ManualClock) -> KbService:
    service = KbService(db, clock)
    report = service.import_path(KB)
    assert report.problems == ()
    return service


def titles(hits: list[ArticleHit]) -> list[str]:
    return [h.title for h in hits]


def article_count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(KbArticle)).scalar_one())


# --- search ---------------------------------------------------------------------------

def test_title_match_outranks_one_mention_deep_in_a_long_body(kb: KbService) -> None:
    deep, _ = kb.upsert("deep", "Monthly account fees", FILLER * 30 + "An overdraft also costs.")
    top, _ = kb.upsert("top", "Arranging an overdraft", "Ask an adviser; approval takes a day.")
    hits = kb.search("overdraft")
    assert [h.id for h in hits] == [top, deep]
    assert hits[0].score > hits[1].score


def test_last_word_is_a_prefix_while_typing(kb: KbService) -> None:
    assert titles(kb.search("passw"))[0] == "Resetting an online banking password"
    assert titles(kb.search("reset passwo"))[0] == "Resetting an online banking password"
    assert kb.search("passw reset") == []  # only the last word may be unfinished
    assert kb.search("pa") == []  # too short to expand: matched as a whole word


def test_all_words_must_match(kb: KbService) -> None:
    assert titles(kb.search("international transfer")) == ["International transfer fees"]
    assert kb.search("exchange mortgage") == []


def test_japanese_two_character_word(kb: KbService) -> None:
    found = titles(kb.search("口座"))
    assert found[0] == "口座解約の手続き"
    assert {"口座解約の手続き", "通帳の再発行", "振込手数料について"} <= set(found)
    assert all(h.language == "ja" for h in kb.search("口座"))


def test_japanese_longer_word_matches_as_a_phrase(kb: KbService) -> None:
    assert titles(kb.search("口座解約")) == ["口座解約の手続き"]
    assert titles(kb.search("振込手数料")) == ["振込手数料について"]
    assert kb.search("口座約") == []  # both bigrams exist, but not next to each other


@pytest.mark.parametrize("query", ["きゃっしゅかーど", "ｷｬｯｼｭｶｰﾄﾞ", "キャッシュカード"])
def test_hiragana_and_half_width_kana_find_katakana(kb: KbService, query: str) -> None:
    assert titles(kb.search(query))[0] == "キャッシュカード紛失時の対応"


def test_language_filter(kb: KbService) -> None:
    assert {h.language for h in kb.search("ATM")} == {"en", "ja"}
    assert titles(kb.search("ATM", language="ja")) == ["振込手数料について"]
    assert titles(kb.search("atm", language="en"))[0] == "ATM withdrawal limits"
    assert {h.language for h in kb.search("atm", language="en")} == {"en"}


def test_filtered_search_looks_past_other_languages(kb: KbService) -> None:
    # More English than Japanese matches rank first; the filter must still find the Japanese.
    for i in range(90):
        kb.upsert(f"fee-{i}", f"Fee schedule {i}", "Every fee, explained.")
    kb.upsert("ja-fee", "手数料の一覧", "fee と手数料の一覧です。")
    assert titles(kb.search("fee", language="ja")) == ["手数料の一覧"]
    assert len(kb.search("fee", language="en", limit=50)) == 50


def test_stop_words_and_punctuation(kb: KbService) -> None:
    assert titles(kb.search("how to reset the password"))[0] == (
        "Resetting an online banking password")
    assert kb.search("the") == []
    assert kb.search("?!... ---") == []
    with pytest.raises(ValidationError, match="Type something"):
        kb.search("   ")


def test_limit(kb: KbService) -> None:
    assert len(kb.search("card", limit=2)) == 2
    with pytest.raises(ValidationError):
        kb.search("card", limit=0)


# --- snippets -------------------------------------------------------------------------

def test_snippet_marks_matches_in_the_original_text(kb: KbService) -> None:
    hit = kb.search("direct debit")[0]
    assert "<mark>direct</mark> <mark>debit</mark>" in hit.snippet
    hit = kb.search("お届け印")[0]
    assert "<mark>お届け印</mark>" in hit.snippet


def test_snippet_is_html_escaped(kb: KbService) -> None:
    kb.upsert("xss", "Unsafe", "Pasted from a web page: <script>alert('x')</script> overdraft & co")
    shown = kb.search("overdraft")[0].snippet
    assert "<script>" not in shown
    assert "&lt;script&gt;alert('x')&lt;/script&gt; <mark>overdraft</mark> &amp; co" in shown


def test_snippet_of_a_title_only_match_is_the_body_start(kb: KbService) -> None:
    hit = kb.search("口座解約")[0]
    assert hit.snippet.startswith("普通預金口座の解約は")
    assert "<mark>" not in hit.snippet


def test_snippet_window_is_cut_around_the_match() -> None:
    body = FILLER * 5 + "Call us to block the card now. " + FILLER * 5
    shown = snippet(body, search_groups("block"))
    assert shown.startswith("…") and shown.endswith("…")
    assert "<mark>block</mark>" in shown
    assert len(re.sub("</?mark>", "", shown)) <= 162


def test_snippet_maps_folded_positions_back() -> None:
    # Half-width kana shrink under NFKC; the mark must still cover the original characters.
    body = "ご案内:ｷｬｯｼｭｶｰﾄﾞを紛失したら、すぐにお電話ください。"
    assert snippet(body, search_groups("キャッシュカード")) == (
        "ご案内:<mark>ｷｬｯｼｭｶｰﾄﾞ</mark>を紛失したら、すぐにお電話ください。")


@settings(max_examples=100, deadline=None)
@given(body=st.text(max_size=400), query=st.text(max_size=20))
def test_snippet_shows_only_body_text(body: str, query: str) -> None:
    shown = snippet(body, search_groups(query))
    plain = html.unescape(re.sub("</?mark>", "", shown)).strip("…")
    assert plain in " ".join(body.split()) or plain in re.sub(r"\s+", " ", body)


# --- query building -------------------------------------------------------------------

def test_backend_queries_are_built_from_quoted_tokens_only() -> None:
    groups = search_groups('reset" OR NEAR(口座解約) ^ - : passw*')  # "or" is a stop word
    assert fts5_query(groups) == '"reset" AND "near" AND "口座 座解 解約" AND "passw"*'
    assert tsquery(groups) == ("('reset') & ('near') & ('口座' <-> '座解' <-> '解約') & "
                               "('passw':*)")


# --- get and upsert -------------------------------------------------------------------

def test_upsert_adds_then_updates_only_on_change(db: Database, clock: ManualClock) -> None:
    kb = KbService(db, clock)
    article_id, outcome = kb.upsert("fx", "Currency exchange", "Rates change daily.",
                                    category="Payments", tags=("fx", "rates"))
    assert outcome == "added"
    assert kb.upsert("fx", "Currency exchange", "Rates change daily.", category="Payments",
                     tags=("fx", "rates")) == (article_id, "unchanged")
    clock.advance(60)
    assert kb.upsert("fx", "Currency exchange", "Rates change hourly.", category="Payments",
                     tags=("fx", "rates")) == (article_id, "updated")
    article = kb.get(article_id)
    assert (article.slug, article.body, article.tags, article.language) == (
        "fx", "Rates change hourly.", ("fx", "rates"), "en")
    assert article.updated_at == clock.now()
    with db.read() as s:
        ops = s.execute(select(ChangeLogEntry.entity, ChangeLogEntry.entity_id, ChangeLogEntry.op)
                        .order_by(ChangeLogEntry.seq)).all()
    assert [tuple(r) for r in ops] == [("kb_article", str(article_id), "insert"),
                                       ("kb_article", str(article_id), "update")]


def test_upsert_detects_language_and_rejects_bad_fields(db: Database, clock: ManualClock) -> None:
    kb = KbService(db, clock)
    article_id, _ = kb.upsert("ja-1", "両替について", "外貨両替は窓口で承ります。")
    assert kb.get(article_id).language == "ja"
    with pytest.raises(ValidationError, match="title"):
        kb.upsert("empty", "  ", "body")
    with pytest.raises(ValidationError, match="200"):
        kb.upsert("x" * 201, "Title", "body")
    with pytest.raises(ValidationError, match="no text"):
        kb.upsert("nobody", "Title", " \n ")
    assert article_count(db) == 1


def test_get_unknown_article(db: Database, clock: ManualClock) -> None:
    with pytest.raises(NotFound, match="article 999"):
        KbService(db, clock).get(999)


# --- import ---------------------------------------------------------------------------

def test_import_shipped_articles(db: Database, clock: ManualClock) -> None:
    kb = KbService(db, clock)
    report = kb.import_path(KB)
    assert report == ImportReport(16, 0, 0, ())
    with db.read() as s:
        languages = dict(s.execute(
            select(KbArticle.language, func.count()).group_by(KbArticle.language)).all())
        page = s.execute(select(KbArticle).where(
            KbArticle.slug == "en/standing-orders-and-direct-debits")).scalar_one()
    assert languages == {"en": 10, "ja": 6}
    assert page.title == "Standing orders and direct debits"
    assert "regular payment" in page.body and "analytics" not in page.body
    assert "font-family" not in page.body


def test_reimport_is_unchanged_and_never_duplicates(db: Database, clock: ManualClock) -> None:
    kb = KbService(db, clock)
    kb.import_path(KB)
    assert kb.import_path(KB) == ImportReport(0, 0, 16, ())
    assert article_count(db) == 16


def test_changed_file_updates_its_article(db: Database, clock: ManualClock,
                                          tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(KB, folder)
    kb = KbService(db, clock)
    kb.import_path(folder)
    page = folder / "en" / "atm-withdrawal-limits.md"
    page.write_text(page.read_text("utf-8") + "\nContactless top-ups are not counted.\n", "utf-8")
    assert kb.import_path(folder) == ImportReport(0, 1, 15, ())
    assert article_count(db) == 16
    assert titles(kb.search("contactless")) == ["ATM withdrawal limits"]


def test_bad_files_are_reported_and_the_rest_imports(db: Database, clock: ManualClock,
                                                     tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Cheque books\n\nOrder them in the app.", "utf-8")
    (tmp_path / "latin1.txt").write_bytes("Café opening\nLe café est ouvert.".encode("latin-1"))
    (tmp_path / "empty.md").write_text("", "utf-8")
    (tmp_path / "open.md").write_text("---\ntitle: Never closed\nBody", "utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")  # not an article type: skipped
    (tmp_path / ".draft.md").write_text("# Hidden\n\ntext", "utf-8")  # hidden: skipped
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text("ref\nmain", "utf-8")
    report = KbService(db, clock).import_path(tmp_path)
    assert (report.added, report.updated, report.unchanged) == (1, 0, 0)
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert set(reasons) == {"latin1.txt", "empty.md", "open.md"}
    assert "not UTF-8" in reasons["latin1.txt"]
    assert reasons["empty.md"] == "The file is empty."
    assert "never closed" in reasons["open.md"]
    assert report.summary() == "1 added, 0 updated, 0 unchanged, 3 problems"


def test_rejected_file_leaves_the_stored_article_alone(db: Database, clock: ManualClock,
                                                       tmp_path: Path) -> None:
    page = tmp_path / "limits.md"
    page.write_text("---\ntitle: Limits\ntags: [atm, cash]\n---\nDaily limit is 1,000.", "utf-8")
    kb = KbService(db, clock)
    kb.import_path(tmp_path)
    page.write_bytes(b"---\ntitle: Limits\n---\nDaily limit is \xff 2,000.")
    report = kb.import_path(tmp_path)
    assert report.problems == (ImportProblem(str(page), report.problems[0].reason),)
    article = kb.get(kb.search("limit")[0].id)
    assert (article.title, article.body, article.tags) == (
        "Limits", "Daily limit is 1,000.", ("atm", "cash"))


def test_single_file_formats_and_slugs(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    kb = KbService(db, clock)
    md = tmp_path / "Wire Cut-off.md"
    md.write_text("Intro line.\n\n# Wire cut-off times\n\nSend before 15:00.", "utf-8")
    txt = tmp_path / "sub" / "fees.txt"
    txt.parent.mkdir()
    txt.write_text("\n\nCounter fees\nCash handling costs 2.00.\n", "utf-8")
    assert kb.import_path(md) == ImportReport(1, 0, 0, ())
    assert kb.import_path(tmp_path) == ImportReport(1, 0, 1, ())  # same slug for the .md
    by_slug = {a.slug: a for a in (kb.get(h.id) for h in kb.search("cut") + kb.search("cash"))}
    assert by_slug["Wire Cut-off"].title == "Wire cut-off times"
    assert by_slug["Wire Cut-off"].body == "Intro line.\n\nSend before 15:00."
    assert by_slug["sub/fees"].title == "Counter fees"
    assert by_slug["sub/fees"].body == "Cash handling costs 2.00."


def test_two_files_with_one_slug(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    (tmp_path / "fees.md").write_text("# Fees\n\nAll fees.", "utf-8")
    (tmp_path / "fees.txt").write_text("Fees\nAll fees again.", "utf-8")
    report = KbService(db, clock).import_path(tmp_path)
    assert report.added == 1
    assert [Path(p.path).name for p in report.problems] == ["fees.txt"]
    assert "fees" in report.problems[0].reason


def test_import_of_a_missing_path(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no file or folder"):
        KbService(db, clock).import_path(tmp_path / "nope")


def test_report_summary() -> None:
    problem = ImportProblem("a.md", "The file is empty.")
    assert ImportReport(12, 3, 0, (problem,)).summary() == (
        "12 added, 3 updated, 0 unchanged, 1 problem")


# --- hostile input --------------------------------------------------------------------

_NASTY = st.sampled_from(['"', "'", "*", ":", "(", ")", "-", "^", "OR", "AND", "NOT", "NEAR",
                          "NEAR(", "\\", ";", "%", "_", "&", "|", "!", "<->", ":*", "\x00",
                          "\x07", "\u3000", "・", "ﾞ", "口座", "passw", "ｶ", "--", " ", "{", "}",
                          "DROP TABLE kb_articles;", "𠮷", "\ud7ff", "é"])
_QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(_NASTY, max_size=25).map("".join),
    st.lists(_NASTY, max_size=8).map(" ".join),
    st.text(min_size=150, max_size=3000),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=_QUERIES, language=st.sampled_from([None, "en", "ja", "'; --"]))
def test_hostile_queries_give_a_list_or_a_validation_error(kb: KbService, query: str,
                                                           language: str | None) -> None:
    try:
        hits = kb.search(query, language=language, limit=5)
    except ValidationError:
        return
    assert isinstance(hits, list) and len(hits) <= 5


def test_a_typo_gets_similar_titles_on_postgresql(kb: KbService, db: Database) -> None:
    assert kb.search("pasword resset") == []  # every word must match
    similar = titles(kb.similar_titles("pasword resset"))
    if not db.is_postgres:
        assert similar == []  # SQLite has no trigram similarity
        return
    assert similar[0] == "Resetting an online banking password"
    assert kb.similar_titles("zzzzqqqq") == [] and kb.similar_titles("口座") == []
