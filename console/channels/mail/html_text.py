"""HTML mail bodies as safe plain text for the agent.

Only text leaves this module: scripts, styles and head content are dropped,
links are kept as "text (url)", block elements and <br> become line breaks.
The standard library's tolerant `html.parser` is enough here because
nothing is ever rendered as HTML (a sanitiser such as nh3 would return HTML).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_DROPPED = frozenset({"script", "style", "head", "title", "noscript", "template", "object", "iframe", "svg"})
_BLOCKS = frozenset({
    "p", "div", "br", "tr", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "dl", "dt", "dd",
})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


class _TextCollector(HTMLParser):
    """Collects visible text; tracks the open link to append its address after its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._dropping: list[str] = []
        self._link: str | None = None
        self._link_start = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED and tag not in _VOID:
            self._dropping.append(tag)
            return
        if self._dropping:
            return
        if tag in _BLOCKS:
            self.chunks.append("\n")
        if tag == "pre":
            self._pre += 1
        if tag == "li":
            self.chunks.append("\n- ")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self._link = href.strip() if href.strip().lower().startswith(_SAFE_SCHEMES) else None
            self._link_start = len(self.chunks)
        if tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.chunks.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag == self._dropping[-1]:
                self._dropping.pop()
            return
        if tag == "a" and self._link is not None:
            label = "".join(self.chunks[self._link_start :]).strip()
            address = self._link.removeprefix("mailto:")
            if label not in (address, self._link):
                self.chunks.append(f" ({self._link})" if label else self._link)
            self._link = None
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        self.chunks.append(data if self._pre else _SPACES.sub(" ", data.replace("\n", " ")))


def html_to_text(html: str) -> str:
    """Turn an HTML body into readable plain text.

    Args:
        html: the decoded HTML document or fragment (malformed is fine).

    Returns:
        Plain text with one blank line at most between blocks.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = [line.strip(" ") for line in "".join(collector.chunks).split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
