"""Search-result snippets: the best window of an article body, escaped, matches marked.

Matching happens on folded text (NFKC, case-folded, hiragana as katakana, as
the index sees it), but the window is cut from the original body, so an agent
reads the article's own words. Folding may change lengths (NFKC composes
half-width kana with their voicing marks, expands ligatures), so every folded
character remembers the span of the original text it came from.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from console import text

WIDTH = 160
ELLIPSIS = "…"
# Characters shown before the first match, so the match reads in context.
_LEAD = 30
# Bodies can be 2 MB; matches past this point are not looked for (the
# snippet then falls back to the start), which bounds the work per hit.
MAX_SCAN = 100_000
# Spans considered when choosing the window; enough for any real article.
_MAX_SPANS = 200
# A base character and the marks NFKC may fold into it (accents, kana voicing).
_CLUSTER = re.compile(r".[\u0300-\u036f\u3099\u309a\uff9e\uff9f]*", re.DOTALL)
_COMBINING = re.compile(r"[\u0300-\u036f\u3099\u309a\uff9e\uff9f]")
_SPACE = re.compile(r"\s")
_LATIN_TOKEN = re.compile(r"[0-9a-z]+")
_SUFFIXES = ("ing", "ed", "es", "s")


@dataclass(frozen=True, slots=True)
class _Span:
    start: int  # in the original body
    end: int
    group: int  # which query group matched


class _Folded:
    """Folded text plus, per folded character, the original span it came from."""

    def __init__(self, body: str) -> None:
        if body.isascii():
            # Lower-casing ASCII keeps every position: no map needed.
            self.text = body.lower()
            self._starts: list[int] | None = None
            self._ends: list[int] = []
            return
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for cluster in _CLUSTER.finditer(body):
            piece = text.to_katakana(text.fold(cluster.group()))
            parts.append(piece)
            starts.extend([cluster.start()] * len(piece))
            ends.extend([cluster.end()] * len(piece))
        self.text = "".join(parts)
        self._starts, self._ends = starts, ends

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded characters ``start``..``end``."""
        if self._starts is None:
            return start, end
        return self._starts[start], self._ends[end - 1]


def _stem(word: str) -> str:
    """A crude English stem, enough to mark "cards" for the query "card" and back."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _phrase(group: list[str]) -> str:
    """The CJK run a group of overlapping bigrams was made from."""
    return group[0] + "".join(bigram[1:] for bigram in group[1:])


def _find_spans(folded: _Folded, groups: list[list[str]]) -> list[_Span]:
    spans: list[_Span] = []
    latin = {g[0]: i for i, g in enumerate(groups) if _LATIN_TOKEN.fullmatch(g[0])}
    stems = {_stem(token): i for token, i in latin.items()}
    for word in _LATIN_TOKEN.finditer(folded.text):
        found = next((i for t, i in latin.items() if word.group().startswith(t)), None)
        if found is None:
            found = stems.get(_stem(word.group()))
        if found is not None:
            spans.append(_Span(*folded.original(word.start(), word.end()), found))
    for i, group in enumerate(groups):
        if group[0] in latin:
            continue
        phrase = _phrase(group)
        for match in re.finditer(re.escape(phrase), folded.text):
            spans.append(_Span(*folded.original(match.start(), match.end()), i))
    return _merge(sorted(spans, key=lambda s: (s.start, -s.end))[: _MAX_SPANS * 4])


def _merge(spans: list[_Span]) -> list[_Span]:
    """Joins overlapping spans, so no <mark> is ever nested or cut."""
    merged: list[_Span] = []
    for span in spans:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = _Span(last.start, max(last.end, span.end), last.group)
        else:
            merged.append(span)
    return merged[:_MAX_SPANS]


def _best_window(spans: list[_Span], length: int, width: int) -> tuple[int, int]:
    """The window with the most different query terms, then the most matches."""
    best, start = (0, 0), 0
    for anchor in spans:
        s = max(0, anchor.start - _LEAD)
        inside = [sp for sp in spans if sp.start >= s and sp.end <= s + width]
        score = (len({sp.group for sp in inside}), len(inside))
        if score > best:  # ties keep the earlier window
            best, start = score, s
    end = min(length, start + width)
    return max(0, min(start, end - width)), end


def _snap(body: str, start: int, end: int, spans: list[_Span]) -> tuple[int, int]:
    """Moves the cut ends off the middle of a Latin word or a character cluster."""
    first = min((sp.start for sp in spans if sp.start >= start), default=end)
    last = max((sp.end for sp in spans if sp.end <= end), default=start)
    if 0 < start < len(body) and _mid_word(body, start):
        space = _SPACE.search(body, start, first)
        start = space.end() if space else start
    if 0 < end < len(body) and _mid_word(body, end):
        spaces = [m.start() for m in _SPACE.finditer(body, last, end)]
        end = spaces[-1] if spaces else end
    while 0 < start < len(body) and _COMBINING.match(body[start]):
        start -= 1
    while end < len(body) and _COMBINING.match(body[end]):
        end += 1
    return start, end


def _mid_word(body: str, pos: int) -> bool:
    before, after = body[pos - 1], body[pos]
    return before.isascii() and after.isascii() and before.isalnum() and after.isalnum()


def _render(body: str, start: int, end: int, spans: list[_Span]) -> str:
    out: list[str] = []
    pos = start
    for span in spans:
        if span.start < start or span.end > end:
            continue
        out.append(_escape(body[pos : span.start]))
        out.append(f"<mark>{_escape(body[span.start : span.end])}</mark>")
        pos = span.end
    out.append(_escape(body[pos:end]))
    shown = "".join(out).strip()
    prefix = ELLIPSIS if body[:start].strip() else ""
    suffix = ELLIPSIS if body[end:].strip() else ""
    return f"{prefix}{shown}{suffix}"


def _escape(part: str) -> str:
    # Line breaks and indentation mean nothing in a one-line snippet.
    return html.escape(re.sub(r"\s+", " ", part), quote=False)


def snippet(body: str, groups: list[list[str]], *, width: int = WIDTH) -> str:
    """The best ``width``-character window of ``body`` as HTML, matches in ``<mark>``.

    Args:
        body: the article's body as stored (not the tokenised search text).
        groups: the query's token groups from ``text.query_groups``.
        width: the window's length in characters of the original body.

    Returns:
        HTML-escaped text with "…" where the body was cut; the body's start
        when nothing in it matches (the article matched on its title).
    """
    scanned = body[:MAX_SCAN]
    spans = _find_spans(_Folded(scanned), groups) if groups else []
    if not spans:
        start, end = _snap(body, 0, min(len(body), width), [])
        return _render(body, start, end, [])
    start, end = _best_window(spans, len(body), width)
    start, end = _snap(body, start, end, spans)
    return _render(body, start, end, spans)
