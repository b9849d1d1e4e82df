"""Text normalisation for search: name keys, kana folding and CJK bigrams.

One function per kind of key, used both when a row is written and when a
query is read, so the two always agree.
"""

from __future__ import annotations

import re
import unicodedata

_HIRAGANA_START = 0x3041
_HIRAGANA_END = 0x3096
_KATA_OFFSET = 0x60
_SPACES = re.compile(r"[\s\u3000・･]+")
# A CJK run: kanji, kana (incl. the prolonged sound mark) and the iteration mark.
_CJK_RUN = re.compile(r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """NFKC-normalises and lower-cases: full-width ASCII and half-width kana fold."""
    return unicodedata.normalize("NFKC", text).casefold()


def to_katakana(text: str) -> str:
    """Converts hiragana to katakana; everything else is left as is."""
    return "".join(
        chr(ord(ch) + _KATA_OFFSET) if _HIRAGANA_START <= ord(ch) <= _HIRAGANA_END else ch
        for ch in text
    )


def squash(text: str) -> str:
    """Removes spaces (ASCII, ideographic) and the middle dot used between names."""
    return _SPACES.sub("", text)


def latin_name_key(first: str, second: str) -> str:
    """The key for Latin-name prefix search: folded "first second"."""
    return " ".join(fold(f"{first} {second}").split())


def kana_key(family: str | None, given: str | None) -> str | None:
    """The key for kana-reading search: katakana, no spaces."""
    if not family and not given:
        return None
    return to_katakana(squash(fold(f"{family or ''}{given or ''}")))


def kanji_key(family: str | None, given: str | None) -> str | None:
    """The key for kanji-name search: folded, no spaces."""
    if not family and not given:
        return None
    return squash(fold(f"{family or ''}{given or ''}"))


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``.

    ``key >= prefix AND key < bound`` is an index range scan on every backend
    and collation, unlike ``LIKE 'prefix%'``.
    """
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"


def has_cjk(text: str) -> bool:
    return bool(_CJK_RUN.search(text))


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def search_tokens(text: str) -> list[str]:
    """Splits text into index tokens: Latin/digit words and CJK bigrams.

    CJK has no spaces between words, so each run of kanji/kana becomes its
    overlapping two-character pieces ("口座番号" -> 口座 座番 番号): a two-character
    query word then finds its article, which a trigram index cannot do.
    """
    folded = to_katakana(fold(text))
    tokens: list[str] = []
    pos = 0
    for match in _CJK_RUN.finditer(folded):
        tokens.extend(_WORD.findall(folded[pos : match.start()]))
        tokens.extend(_bigrams(match.group()))
        pos = match.end()
    tokens.extend(_WORD.findall(folded[pos:]))
    return tokens


def index_text(text: str) -> str:
    """The text stored in the search columns: tokens joined by spaces."""
    return " ".join(search_tokens(text))


def query_groups(query: str) -> list[list[str]]:
    """Splits a query into groups of tokens that must appear as a phrase.

    A Latin word is a group of one; a CJK run is the group of its bigrams.
    """
    folded = to_katakana(fold(query))
    groups: list[list[str]] = []
    pos = 0
    for match in _CJK_RUN.finditer(folded):
        groups.extend([w] for w in _WORD.findall(folded[pos : match.start()]))
        groups.append(_bigrams(match.group()))
        pos = match.end()
    groups.extend([w] for w in _WORD.findall(folded[pos:]))
    return [g for g in groups if g]
