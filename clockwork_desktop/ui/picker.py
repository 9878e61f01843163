"""The issue picker: a small popup with a search field, for starting a timer by keyboard.

On Wayland it is an ordinary top-level window instead: a compositor shows a grabbing popup
only with a parent window that has just received input, and a tray app opened by a shortcut
(`clockwork-desktop pick`) or a second launch has none, so the popup would never appear. The
window closes like the popup does: on Esc, on a choice, and when another window is activated.

The issue named by the git branch checked out last comes first (when branches are watched),
then my open issues, then recent ones, then Jira's search results as you type
(debounced, fetched off the GUI thread). A typed key such as ``ABC-123`` can always be
started, even offline. Enter starts the highlighted issue; Esc closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import ISSUE_KEY_RE, JiraIssue
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import tooltip
from clockwork_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from clockwork_desktop.core.attention import Suggestion

log = get_logger(__name__)

KEY_ROLE = Qt.ItemDataRole.UserRole


def popups_need_a_parent() -> bool:
    """True on Wayland, where a popup without a focused parent window is refused."""
    return QGuiApplication.platformName().startswith("wayland")


SEARCH_DELAY_MS = 300
MAX_PER_SECTION = 12


class Cached(NamedTuple):
    """What the picker shows before Jira answers, read together on the DB worker."""

    mine: list[JiraIssue]
    recent: list[JiraIssue]
    suggestion: Suggestion | None
    suggestion_summary: str
    running_key: str | None
    signed_in: bool


class IssuePicker(QFrame):
    issue_chosen = Signal(str)

    def __init__(
        self, services: GuiServices, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        as_window = popups_need_a_parent()
        super().__init__(parent, Qt.WindowType.Window if as_window else Qt.WindowType.Popup)
        self.as_window = as_window
        self.setObjectName("IssuePicker")
        if self.as_window:
            self.setWindowTitle("Start a timer – Clockwork Desktop")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._services = services
        self._runner = runner
        self._mine: list[JiraIssue] = []
        self._recent: list[JiraIssue] = []
        self._found: list[JiraIssue] = []
        self._suggestion: Suggestion | None = None
        # Known without asking the store again: the GUI thread never waits for SQLite here.
        self._summaries: dict[str, str] = {}
        self._asked_summaries: set[str] = set()
        self._running_key: str | None = None
        self._signed_in: bool | None = None  # not known until the first read answers
        self._load_seq = 0
        self._search_seq = 0
        self._searching = False  # a search was typed and Jira has not answered yet
        self._note = ""
        self._was_active = False

        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Issue key or words, e.g. PROJ-123")
        self.field.setClearButtonEnabled(True)
        self.field.installEventFilter(self)
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.itemActivated.connect(self._activate_item)
        self.list.itemClicked.connect(self._activate_item)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("color: palette(mid);")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        layout.addWidget(self.status)
        self.resize(460, 200)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._search)
        self.field.textChanged.connect(self._text_changed)
        self.field.returnPressed.connect(self._activate_current)

    def shutdown(self) -> None:
        self._debounce.stop()
        self._search_seq += 1  # answers still on their way are dropped
        self.close()

    # -- opening ----------------------------------------------------------------------------

    def open_at(self, anchor: QPoint | None = None) -> None:
        """Show at once with what was known last time; the saved lists follow from the DB
        worker, then Jira's own list of my open issues."""
        self.field.clear()
        self._was_active = False
        self._found = []
        self._rebuild()
        self._place(anchor)
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus(Qt.FocusReason.PopupFocusReason)
        self._load_seq += 1
        seq = self._load_seq

        def loaded(cached: Cached) -> None:
            if seq != self._load_seq:
                return
            self._show_cached(cached)
            self._refresh_mine()

        self._runner.db(self._read_cached, loaded, lambda e: log.warning("picker: %s", e))

    def _place(self, anchor: QPoint | None) -> None:
        screen = QGuiApplication.screenAt(anchor) if anchor else QGuiApplication.primaryScreen()
        if screen is None:
            screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        point = anchor or area.center() - QPoint(self.width() // 2, self.height() // 2)
        x = min(max(point.x() - self.width() // 2, area.left()), area.right() - self.width())
        y = point.y() + 8
        if y + self.height() > area.bottom():
            y = point.y() - self.height() - 8
        self.move(x, max(y, area.top()))

    def _read_cached(self) -> Cached:
        """On the DB worker: the saved lists, the branch's issue and the running timer."""
        services = self._services
        try:
            mine = services.issues.my_open_issues(refresh=False)[0]
        except Exception:  # no account yet: nothing cached
            mine = []
        recent = services.issues.recent(MAX_PER_SECTION)
        try:
            suggestion = services.auto_timers.suggestion()
        except Exception:  # a suggestion is a nicety: the picker opens without one
            log.warning("the branch's issue could not be read", exc_info=True)
            suggestion = None
        summary = services.issue_summary(suggestion.issue_key) if suggestion else ""
        running = services.tracker.running()
        return Cached(
            mine,
            recent,
            suggestion,
            summary,
            running.issue_key if running else None,
            bool(services.accounts.accounts()),
        )

    def _show_cached(self, cached: Cached) -> None:
        self._mine, self._recent = cached.mine, cached.recent
        self._suggestion = cached.suggestion
        if cached.suggestion is not None:
            self._summaries[cached.suggestion.issue_key] = cached.suggestion_summary
        self._running_key = cached.running_key
        self._signed_in = cached.signed_in
        if not cached.signed_in:
            self._searching = False  # Jira will not be asked: no "Searching Jira…"
        elif len(self.field.text().strip()) >= 2 and not self._debounce.isActive():
            self._search()  # typed before it was known that Jira can be asked
        self._rebuild()

    def _summary(self, key: str) -> str | None:
        """The summary already known for ``key``; None while it is being read."""
        for issue in (*self._mine, *self._recent, *self._found):
            if issue.key == key:
                return issue.summary
        if key in self._summaries:
            return self._summaries[key]
        if key not in self._asked_summaries:
            self._asked_summaries.add(key)

            def read(summary: str) -> None:
                self._summaries[key] = summary
                if self.field.text().strip().upper() == key:
                    self._rebuild()

            self._runner.db(lambda: self._services.issue_summary(key), read, lambda _e: None)
        return None

    def _refresh_mine(self) -> None:
        def fetch() -> tuple[list[JiraIssue], str | None]:
            return self._services.issues.my_open_issues(refresh=True)

        def done(result: tuple[list[JiraIssue], str | None]) -> None:
            self._mine, note = result
            self._note = "Offline: showing saved issues." if note else ""
            self._rebuild()

        if self._signed_in:
            self._runner.network(fetch, done, lambda _e: None)

    # -- typing and searching ---------------------------------------------------------------

    def _text_changed(self, text: str) -> None:
        self._found = []
        # Jira has not been asked yet: "no match" would be a guess until it answers.
        self._searching = len(text.strip()) >= 2 and self._signed_in is not False
        self._rebuild()
        self._debounce.start()

    def _search(self) -> None:
        text = self.field.text().strip()
        if len(text) < 2 or not self._signed_in:
            return
        self._search_seq += 1
        seq = self._search_seq

        def done(result: tuple[list[JiraIssue], str | None]) -> None:
            if seq != self._search_seq or text != self.field.text().strip():
                return  # an older search answering late
            self._found, note = result
            self._note = "Offline: searched saved issues." if note else ""
            self._searching = False
            self._rebuild()

        def failed(_error: BaseException) -> None:
            if seq == self._search_seq:
                self._searching = False
                self._rebuild()

        self.status.setText("Searching Jira…")
        self._runner.network(lambda: self._services.issues.search(text), done, failed)

    # -- the list -------------------------------------------------------------------------

    def _matches(self, issue: JiraIssue, needle: str) -> bool:
        return not needle or needle in issue.key.lower() or needle in issue.summary.lower()

    def _rebuild(self) -> None:
        needle = self.field.text().strip().lower()
        self.list.clear()
        shown: set[str] = set()
        typed = self.field.text().strip().upper()
        if ISSUE_KEY_RE.match(typed):
            summary = self._summary(typed)
            self._add_section("Start typed key")
            self._add_issue(JiraIssue(typed, summary or "start a timer on this key"))
            shown.add(typed)
        running_key = self._running_key
        hint = self._suggestion
        if hint is not None and hint.issue_key not in shown:
            summary = self._summaries.get(hint.issue_key, "")
            if not needle or needle in f"{hint.issue_key} {summary} {hint.branch}".lower():
                self._add_section("From your git branch")
                self._add_issue(
                    JiraIssue(hint.issue_key, summary),
                    running=hint.issue_key == running_key,
                    note=f"from branch {hint.branch}",
                )
                shown.add(hint.issue_key)
        # Jira already matched the search results; the local lists are filtered here.
        for title, issues, filtered in (
            ("My open issues", self._mine, True),
            ("Recent", self._recent, True),
            ("Search results", self._found, False),
        ):
            chosen = [
                i
                for i in issues
                if i.key not in shown and (not filtered or self._matches(i, needle))
            ][:MAX_PER_SECTION]
            if not chosen:
                continue
            self._add_section(title)
            for issue in chosen:
                self._add_issue(issue, running=issue.key == running_key)
                shown.add(issue.key)
        if self.list.count() == 0:
            nothing = "No matching issues." if needle else "Type an issue key."
            self.status.setText(self._note or ("Searching Jira…" if self._searching else nothing))
        else:
            self.status.setText(self._note or "Enter starts the timer · Esc closes")
        self._select_first()
        self._fit()

    def _fit(self) -> None:
        """As tall as its rows (within limits), so a short list is not a big empty box."""
        rows = max(3, min(self.list.count(), 16))
        row_height = self.list.sizeHintForRow(0) if self.list.count() else 20
        self.list.setFixedHeight(rows * max(row_height, 16) + 2 * self.list.frameWidth() + 4)
        self.adjustSize()
        self.resize(460, self.sizeHint().height())

    def _add_section(self, title: str) -> None:
        item = QListWidgetItem(title)
        font = QFont(item.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(item)

    def _add_issue(self, issue: JiraIssue, running: bool = False, note: str = "") -> None:
        # QListWidgetItem text is never interpreted as rich text: Jira's summaries stay plain.
        text = f"{issue.key}   {issue.summary}".rstrip()
        if running:
            text += "   (running)"
        if note:
            text += f"   ({note})"
        item = QListWidgetItem(text)
        item.setData(KEY_ROLE, issue.key)
        item.setToolTip(tooltip(f"{issue.key}: {issue.summary}"))
        self.list.addItem(item)

    def _selectable_rows(self) -> list[int]:
        return [r for r in range(self.list.count()) if self.list.item(r).data(KEY_ROLE) is not None]

    def _select_first(self) -> None:
        rows = self._selectable_rows()
        if rows:
            self.list.setCurrentRow(rows[0])

    def _move(self, step: int) -> None:
        rows = self._selectable_rows()
        if not rows:
            return
        current = self.list.currentRow()
        later = [r for r in rows if (r > current if step > 0 else r < current)]
        target = (later[0] if step > 0 else later[-1]) if later else current
        self.list.setCurrentRow(target)

    def changeEvent(self, event: QEvent) -> None:
        # As a window (Wayland), leave like a popup when the user turns to another window; a
        # window the compositor never activated stays until Esc or a choice.
        if self.as_window and event.type() == QEvent.Type.ActivationChange:
            if self.isActiveWindow():
                self._was_active = True
            elif self._was_active and self.isVisible():
                self.close()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            steps = {
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: 5,
                Qt.Key.Key_PageUp: -5,
            }
            step = steps.get(Qt.Key(event.key()))
            if step is not None:
                for _ in range(abs(step)):
                    self._move(1 if step > 0 else -1)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    # -- choosing -------------------------------------------------------------------------

    def _activate_current(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(KEY_ROLE):
            self._choose(str(item.data(KEY_ROLE)))
            return
        typed = self.field.text().strip().upper()
        if ISSUE_KEY_RE.match(typed):
            self._choose(typed)
        elif typed:
            self.status.setText("Pick an issue from the list, or type a key such as PROJ-123.")

    def _activate_item(self, item: QListWidgetItem) -> None:
        key = item.data(KEY_ROLE)
        if key:
            self._choose(str(key))

    def _choose(self, key: str) -> None:
        self.close()
        self.issue_chosen.emit(key)
