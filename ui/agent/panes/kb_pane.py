"""The Knowledge-base dock: search as you type, read an article, put it into the reply.

Each keystroke restarts a short timer; when typing pauses the search runs on a
worker. A newer search replaces an older one, and results for a query that
is no longer in the box are dropped, so the list never flickers back.
"""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.domain import Article, ArticleHit
from console.errors import SwitchboardError
from ui.agent.models.list_models import KbResultsModel
from ui.shell.context import Workbench
from ui.widgets.compact import compact_combo, shrinking_label
from ui.widgets.two_line_delegate import card_list

DEBOUNCE_MS = 250
RESULTS = 20


def reference(article_id: int, title: str) -> str:
    """How an article is cited in a reply: "KB#123: Title"."""
    return f"KB#{article_id}: {title}"


class KbPane(QWidget):
    """Search box, results list and article reader.

    Args:
        bench: services, jobs, agent and clock.
        parent: the owning widget.

    Signals:
        insert_requested(str): the agent wants this text in the reply.
        results_shown(float): results arrived; seconds from the search starting to them shown.
        error(object): a SwitchboardError from a search or an article load.
    """

    insert_requested = Signal(str)
    results_shown = Signal(float)
    error = Signal(object)

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kbPane")
        self._bench = bench
        self._article: Article | None = None
        self._started = 0.0
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.search_now)
        self.model = KbResultsModel(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._build_results_page())
        self.stack.addWidget(self._build_article_page())
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.stack)

    def _build_results_page(self) -> QWidget:
        page = QWidget(self)
        self.search = QLineEdit(page)
        self.search.setObjectName("kbSearch")
        self.search.setPlaceholderText("Search the knowledge base…  (Ctrl+K)")
        self.search.setClearButtonEnabled(True)
        self.search.textEdited.connect(lambda _text: self.debounce.start())
        self.search.returnPressed.connect(self.search_now)
        self.search.installEventFilter(self)
        self.language = compact_combo(QComboBox(page), 7)
        self.language.setAccessibleName("Article language")
        self.language.setToolTip("Search articles in this language")
        for label, code in (("All", ""), ("English", "en"), ("日本語", "ja")):
            self.language.addItem(label, code)
        self.language.currentIndexChanged.connect(self.search_now)
        self.view = QListView(page)
        self.view.setObjectName("kbResults")
        self.view.setModel(self.model)
        card_list(self.view, max_body_lines=3)
        self.view.activated.connect(lambda _index: self.open_current())
        self.status = shrinking_label(QLabel("Type to search articles.", page))
        self.status.setObjectName("paneStatus")
        cite = _button("Insert reference", "Insert “KB#id: title” into the reply", page,
                       self.insert_current_reference)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 4)
        top.addWidget(self.search, 1)
        top.addWidget(self.language)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(8, 4, 8, 6)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(cite)
        return _page(page, top, self.view, bottom)

    def _build_article_page(self) -> QWidget:
        page = QWidget(self)
        self.reader = QTextBrowser(page)
        self.reader.setObjectName("kbArticle")
        self.reader.setOpenLinks(False)
        back = _button("← Results", "Back to the search results (Esc)", page, self.show_results)
        insert = _button("Insert text", "Insert the article's text into the reply", page,
                         self.insert_article_text)
        cite = _button("Insert reference", "Insert “KB#id: title” into the reply", page,
                       self.insert_article_reference)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 4)
        top.addWidget(back)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(8, 4, 8, 6)
        bottom.addStretch(1)
        bottom.addWidget(cite)
        bottom.addWidget(insert)
        return _page(page, top, self.reader, bottom)

    # -- searching -------------------------------------------------------
    def focus_search(self) -> None:
        self.show_results()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def search_now(self) -> None:
        """Runs the search for the box's text now (the debounce timer calls this)."""
        self.debounce.stop()
        query = self.search.text().strip()
        if not query:
            self.model.set_items([])
            self.status.setText("Type to search articles.")
            return
        self._started = time.perf_counter()
        language = self.language.currentData() or None
        self.status.setText("Searching…")
        self._bench.jobs.read(self._bench.door.kb.search, query, language=language,
                              limit=RESULTS, key=f"kb-search:{id(self)}",
                              on_success=lambda hits: self._arrived(query, hits),
                              on_failure=self._failed)

    def _arrived(self, query: str, hits: list[ArticleHit]) -> None:
        if query != self.search.text().strip():
            return  # typed on since: a newer search is coming
        self.model.set_items(hits)
        self.status.setText(f"{len(hits)} articles" if hits else f"Nothing found for “{query}”")
        if hits:
            self.view.setCurrentIndex(self.model.index(0, 0))
        else:  # a typo? PostgreSQL can offer titles that look like it
            self._bench.jobs.read(self._bench.door.kb.similar_titles, query,
                                  language=self.language.currentData() or None,
                                  key=f"kb-similar:{id(self)}",
                                  on_success=lambda similar: self._similar(query, similar),
                                  on_failure=self._failed)
        self.results_shown.emit(time.perf_counter() - self._started)

    def _similar(self, query: str, similar: list[ArticleHit]) -> None:
        if query != self.search.text().strip() or not similar or self.model.rowCount():
            return
        self.model.set_items(similar)
        self.status.setText(f"No exact match for “{query}”; similar titles")

    def _failed(self, exc: SwitchboardError) -> None:
        self.status.setText(exc.message)
        self.error.emit(exc)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box moves into the results."""
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Down
                and self.model.rowCount()):
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)

    # -- reading and inserting --------------------------------------------
    def current_hit(self) -> ArticleHit | None:
        return self.model.item(self.view.currentIndex().row())

    def open_current(self) -> None:
        hit = self.current_hit()
        if hit is not None:
            self.open_article(hit.id)

    def open_article(self, article_id: int) -> None:
        self._bench.jobs.read(self._bench.door.kb.get, article_id,
                              key=f"kb-article:{id(self)}", on_success=self._show_article,
                              on_failure=self._failed)

    def _show_article(self, article: Article) -> None:
        self._article = article
        paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>"
                             for p in article.body.split("\n\n") if p.strip())
        self.reader.setHtml(f"<h3>{html.escape(article.title)}</h3>"
                            f"<p style='color:gray'>KB#{article.id} · "
                            f"{html.escape(article.category)} · {article.language.upper()}</p>"
                            f"{paragraphs}")
        self.stack.setCurrentIndex(1)
        self.reader.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def article(self) -> Article | None:
        """The article open in the reader, if any."""
        return self._article if self.stack.currentIndex() == 1 else None

    def show_results(self) -> None:
        self.stack.setCurrentIndex(0)

    def insert_current_reference(self) -> None:
        hit = self.current_hit()
        if hit is not None:
            self.insert_requested.emit(reference(hit.id, hit.title))

    def insert_article_reference(self) -> None:
        if self._article is not None:
            self.insert_requested.emit(reference(self._article.id, self._article.title))

    def insert_article_text(self) -> None:
        if self._article is not None:
            self.insert_requested.emit(self._article.body.strip())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.stack.currentIndex() == 1:
            self.show_results()
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().keyPressEvent(event)


def _button(text: str, tip: str, parent: QWidget, slot: object) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


def _page(page: QWidget, top: QHBoxLayout, body: QWidget, bottom: QHBoxLayout) -> QWidget:
    box = QVBoxLayout(page)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(0)
    box.addLayout(top)
    box.addWidget(body, 1)
    box.addLayout(bottom)
    return page
