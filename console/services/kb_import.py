"""Reading KB articles from files: Markdown, HTML and plain text, one article per file.

Only reading and checking happens here; ``KbService.import_path`` writes
what was read. A file that cannot be used becomes an ``ImportProblem`` with a
reason a person can act on, and never stops the other files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_SLUG, MAX_TITLE, MAX_CATEGORY, MAX_TAGS = 200, 300, 80, 300
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,4})?")
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A file that was not imported, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: counts of articles, and the files it could not use."""

    added: int
    updated: int
    unchanged: int
    problems: tuple[ImportProblem, ...]

    def summary(self) -> str:
        """One line for people, e.g. "12 added, 3 updated, 0 unchanged, 1 problem"."""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{count} {noun}")


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """An article read from a file; ``language`` None means "detect from the text"."""

    path: str
    slug: str
    title: str
    body: str
    category: str = ""
    tags: tuple[str, ...] = ()
    language: str | None = None


class BadFileError(Exception):
    """Why a file cannot be imported; the message is shown to a person."""


def field_problem(slug: str, title: str, body: str, category: str, tags: str,
                  language: str) -> str | None:
    """What is wrong with an article's fields for the database, or None.

    Shared by the importer and ``KbService.upsert`` so both reject the same things.
    """
    for name, value, limit in (("name (slug)", slug, MAX_SLUG), ("title", title, MAX_TITLE),
                               ("category", category, MAX_CATEGORY), ("tags", tags, MAX_TAGS)):
        if len(value) > limit:
            return f"The {name} is {len(value)} characters long; the limit is {limit}."
    if not slug.strip() or not title.strip():
        return "An article needs a name (slug) and a title."
    if not body.strip():
        return "The article has no text besides its title."
    if not _LANGUAGE.fullmatch(language):
        return f"'{language}' is not a language code like 'en' or 'ja'."
    if any("\x00" in value for value in (slug, title, body, category, tags)):
        return "The text contains NUL characters; it does not look like a text file."
    return None


def read_articles(root: Path) -> tuple[list[ArticleFile], list[ImportProblem]]:
    """Reads one file, or every supported file under a folder (hidden ones skipped).

    Returns:
        The readable articles (slugs unique) and the problems, both in path order.
    """
    articles: list[ArticleFile] = []
    problems: list[ImportProblem] = []
    seen: dict[str, str] = {}
    for path, slug in _candidates(root):
        try:
            article = _read_file(path, slug)
        except BadFileError as exc:
            problems.append(ImportProblem(str(path), str(exc)))
            continue
        if slug in seen:
            problems.append(ImportProblem(str(path), f"{seen[slug]} already gives the "
                                          f"article name '{slug}'; rename one of them."))
            continue
        seen[slug] = str(path)
        articles.append(article)
    return articles, problems


def _candidates(root: Path) -> Iterator[tuple[Path, str]]:
    if root.is_file():
        yield root, root.stem  # chosen by hand, so an unsupported type is reported
        return
    for folder, dirs, files in os.walk(root):  # does not follow links: no cycles
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder, name)
            if not name.startswith(".") and path.suffix.lower() in _PARSERS:
                yield path, path.relative_to(root).with_suffix("").as_posix()


def _read_file(path: Path, slug: str) -> ArticleFile:
    parse = _PARSERS.get(path.suffix.lower())
    if parse is None:
        raise BadFileError(f"'{path.suffix or path.name}' files are not articles; use "
                      f"{', '.join(_PARSERS)}.")
    article = parse(path, slug, _read_text(path))
    tags = ",".join(article.tags)
    problem = field_problem(slug, article.title, article.body, article.category, tags,
                            article.language or "en")
    if problem:
        raise BadFileError(problem)
    return article


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BadFileError(f"The file is {size / 1024 / 1024:.1f} MB; articles may be at most "
                          f"{MAX_FILE_BYTES // 1024 // 1024} MB.")
        data = path.read_bytes()
    except OSError as exc:
        raise BadFileError(f"The file cannot be read: {exc.strerror or exc}.") from None
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFileError(f"The file is not UTF-8 text (unexpected byte at position {exc.start}); "
                      "save it as UTF-8 and import it again.") from None
    if not content.strip():
        raise BadFileError("The file is empty.")
    return content.replace("\r\n", "\n").replace("\r", "\n")


def _parse_markdown(path: Path, slug: str, content: str) -> ArticleFile:
    meta, body = _front_matter(content)
    title = meta.get("title", "")
    if not title:
        heading = _HEADING.search(body)
        if heading:
            title = heading.group(1)
            before, after = body[: heading.start()].strip(), body[heading.end() :].strip()
            body = f"{before}\n\n{after}" if before and after else before or after
    tags = tuple(t for t in (_unquote(t) for t in meta.get("tags", "").strip("[]").split(","))
                 if t)
    return ArticleFile(str(path), slug, " ".join((title or path.stem).split()), body.strip(),
                       meta.get("category", ""), tags, meta.get("language", "").lower() or None)


def _front_matter(content: str) -> tuple[dict[str, str], str]:
    """Splits leading ``---`` front matter (simple ``key: value`` lines) from the body."""
    lines = content.split("\n")
    if lines[0].strip() != "---":
        return {}, content
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise BadFileError("The front matter opened with '---' on line 1 is never closed by "
                      "another '---' line.")
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            raise BadFileError(f"Line {number} of the front matter is not 'key: value': "
                          f"{line.strip()[:60]!r}.")
        meta[key.strip().lower()] = _unquote(value)
    return meta, "\n".join(lines[end + 1 :])


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _parse_text(path: Path, slug: str, content: str) -> ArticleFile:
    title, _, body = content.strip().partition("\n")
    return ArticleFile(str(path), slug, " ".join(title.split()), body.strip())


class _VisibleText(HTMLParser):
    """Collects an HTML page's title, first <h1> and visible text."""

    _HIDDEN = frozenset({"script", "style", "template", "noscript", "head"})
    _BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "section",
                         "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
                         "blockquote", "pre", "dt", "dd", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.heading: list[str] = []
        self.text: list[str] = []
        self._hidden = 0
        self._where: str | None = None  # "title" or "h1" while inside one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._hidden = 0  # a page may leave <head> unclosed
        if tag in self._HIDDEN:
            self._hidden += 1
        if (tag == "title" and not self.title) or (tag == "h1" and not self.heading):
            self._where = tag
        if tag in self._BLOCKS:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        if tag == self._where:
            self._where = None
        if tag in self._BLOCKS:
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._where == "title":
            self.title.append(data)
        elif self._where == "h1":
            self.heading.append(data)
        if not self._hidden:
            self.text.append(data)


def _parse_html(path: Path, slug: str, content: str) -> ArticleFile:
    parser = _VisibleText()
    parser.feed(content)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.text).split("\n")]
    lines = [line for line in lines if line]
    title = " ".join("".join(parser.title).split())
    if not title:
        title = " ".join("".join(parser.heading).split())
        if title and title in lines:
            lines.remove(title)  # shown as the title already
    return ArticleFile(str(path), slug, title or path.stem, "\n".join(lines))


_PARSERS: dict[str, Callable[[Path, str, str], ArticleFile]] = {
    ".md": _parse_markdown, ".markdown": _parse_markdown, ".html": _parse_html,
    ".htm": _parse_html, ".txt": _parse_text,
}
