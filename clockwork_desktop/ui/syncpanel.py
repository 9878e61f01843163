"""The Sync panel: the entries that need the user, with Jira's reason and a way to settle each.

Opened from the tray's "Fix N entries not sent to Jira…" line and from a failure
notification. A refused entry can be retried or edited; a conflict (Jira and this computer
disagree) can also be settled by keeping this computer's version, taking Jira's, or deleting
the entry. Every service call runs on the TaskRunner; after a choice the panel asks for the
same sync that "Sync now" runs, and reloads when that sync reports.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Entry, RemoteWorklog, SyncState
from clockwork_desktop.ui.dialogs import EditEntryDialog, entry_for_editing
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import plain_label, tooltip
from clockwork_desktop.ui.tasks import TaskRunner, error_words

if TYPE_CHECKING:
    from clockwork_desktop.services.conflicts import Problem, Resolution

log = get_logger(__name__)

COLUMNS = ("Issue", "Day", "Time", "Duration", "State", "Jira's reason")
REASON_COLUMN = len(COLUMNS) - 1
TAKE_TIP = "Copy the worklog as Jira has it now; if Jira deleted it, delete the entry."
CANNOT_TAKE_TIP = "Jira keeps this entry as more than one worklog: edit it to match, or keep mine."
INTRO_TAIL = "Nothing is sent or changed in Jira until you choose."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


class Comparison(QWidget):
    """This computer's version and Jira's, side by side: duration, start, comment."""

    HEADER = ("", "This computer", "Jira")

    def __init__(
        self,
        entry: Entry,
        jira: RemoteWorklog | None,
        zone: ZoneInfo,
        parent: QWidget | None = None,
        *,
        unreadable: str = "",
    ) -> None:
        super().__init__(parent)
        ours_seconds = entry.duration_seconds(entry.ended_at or entry.started_at)
        if jira is not None:
            theirs = (format_duration(jira.seconds), _when(jira.started, zone), jira.comment)
        else:
            gone = unreadable or "deleted in Jira"
            theirs = (gone, "", "")
        self._rows = {
            "Duration": (format_duration(ours_seconds), theirs[0]),
            "Start": (_when(entry.started_at, zone), theirs[1]),
            "Comment": (entry.comment, theirs[2]),
        }
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for col, text in enumerate(self.HEADER):
            label = plain_label(text, self)
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            grid.addWidget(label, 0, col)
        for row, (name, (mine, jiras)) in enumerate(self._rows.items(), start=1):
            for col, text in enumerate((name, mine, jiras)):
                label = plain_label(text, self)  # Jira's comment is shown as text, never HTML
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(label, row, col)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

    def _cell(self, row: int, col: int) -> str:
        item = self.layout().itemAt(row * len(self.HEADER) + col)  # type: ignore[union-attr]
        widget = item.widget() if item is not None else None
        return widget.text() if isinstance(widget, QLabel) else ""

    def header(self) -> tuple[str, ...]:
        return tuple(self._cell(0, col) for col in range(len(self.HEADER)))

    def rows(self) -> dict[str, tuple[str, str]]:
        """What the labels show, row by row (read back from the widgets)."""
        count = len(self._rows)
        return {self._cell(r, 0): (self._cell(r, 1), self._cell(r, 2)) for r in range(1, count + 1)}


class ConflictChoice(QDialog):
    """Keep mine / Take Jira's, asked with both versions in view; No by default."""

    def __init__(self, parent: QWidget, question: str, comparison: Comparison) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settle the conflict")
        self.comparison = comparison
        comparison.setParent(self)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No, self
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        no = self._buttons.button(QDialogButtonBox.StandardButton.No)
        no.setDefault(True)
        no.setFocus()
        layout = QVBoxLayout(self)
        layout.addWidget(comparison)
        layout.addWidget(plain_label(question, self))
        layout.addWidget(self._buttons)
        self.setWindowModality(Qt.WindowModality.WindowModal)

    def button(self, which: QMessageBox.StandardButton) -> QPushButton:
        """The answer's button, named as a QMessageBox names it (Yes, No)."""
        return self._buttons.button(QDialogButtonBox.StandardButton(which.value))


class SyncPanel(QWidget):
    """A window of its own (never modal): the tray menu keeps working while it is open."""

    sync_requested = Signal()

    def __init__(
        self, services: GuiServices, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Entries not sent to Jira")
        self._services = services
        self._runner = runner
        self._problems: list[Problem] = []
        self.edit_dialog: EditEntryDialog | None = None
        self.confirm: ConflictChoice | None = None
        self.intro = plain_label(
            "Jira refused these entries, or Jira and this computer disagree about them. "
            "Nothing is sent or changed in Jira until you choose.",
            self,
        )
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.edit_selected())
        # The selected entry's reason in full: the table's column elides long ones.
        self.detail = plain_label("", self)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = plain_label("", self)

        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setToolTip("Send it again at the next sync, as it is now.")
        self.edit_button = QPushButton("Edit…", self)
        self.keep_button = QPushButton("Keep mine", self)
        self.keep_button.setToolTip("Send this computer's version over Jira's.")
        self.take_button = QPushButton("Take Jira's", self)
        self.take_button.setToolTip(TAKE_TIP)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setToolTip("Delete the entry here and its worklog in Jira.")
        self.retry_button.clicked.connect(lambda: self._settle("retry"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.keep_button.clicked.connect(lambda: self._ask_then_settle("mine"))
        self.take_button.clicked.connect(lambda: self._ask_then_settle("jira"))
        self.delete_button.clicked.connect(lambda: self._settle("delete"))
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        self._choices = (
            self.retry_button,
            self.edit_button,
            self.keep_button,
            self.take_button,
            self.delete_button,
        )
        buttons = QHBoxLayout()
        for button in self._choices:
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(820, 320)
        self.setMinimumSize(560, 240)
        self._update_buttons()

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self._runner.db(self._services.conflicts.problems, self._show, self._failed)

    def _show(self, problems: list[Problem]) -> None:
        selected = self.selected_id()
        self._problems = problems
        self.message.setText("")  # what was said of the last list is not said of this one
        zone = self._services.tracker.zone
        now = self._services.tracker.now()
        self.table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            entry = problem.entry
            start = entry.started_at.astimezone(zone)
            end = entry.ended_at.astimezone(zone).strftime("%H:%M") if entry.ended_at else "…"
            state = "conflict" if entry.sync_state is SyncState.CONFLICT else "refused by Jira"
            cells = (
                entry.issue_key,
                start.strftime("%a %d %b"),
                f"{start:%H:%M}–{end}",
                format_duration(entry.duration_seconds(now)),
                state,
                problem.reason or "No reason given.",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)  # items show text as it is, never as HTML
                if col == REASON_COLUMN:
                    item.setToolTip(tooltip(text))
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        self.table.horizontalHeader().setSectionResizeMode(
            REASON_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        if problems:
            self.intro.setText(self._intro(problems))
            self.intro.show()
            again = self._row_of(selected) if selected is not None else None
            self.table.selectRow(again if again is not None else 0)
        else:
            self.intro.hide()
            self.message.setText("Nothing needs you: every entry is sent or waits for a sync.")
        self._update_buttons()

    @staticmethod
    def _intro(problems: list[Problem]) -> str:
        conflicts = sum(1 for p in problems if p.entry.sync_state is SyncState.CONFLICT)
        refused = len(problems) - conflicts
        parts = []
        if conflicts:
            parts.append(
                f"{_plural(conflicts, 'conflict')}: changed or deleted in Jira, Jira and this "
                "computer disagree. Keep mine or Take Jira's shows both versions first."
            )
        if refused:
            parts.append(f"{refused} refused by Jira: retry, or edit what Jira complained about.")
        return " ".join([*parts, INTRO_TAIL])

    # -- selection ------------------------------------------------------------------------------

    def _row_of(self, entry_id: int) -> int | None:
        for row, problem in enumerate(self._problems):
            if problem.entry.id == entry_id:
                return row
        return None

    def entry_id(self, row: int) -> int:
        return self._problems[row].entry.id

    def reason_text(self, row: int) -> str:
        item = self.table.item(row, REASON_COLUMN)
        return item.text() if item is not None else ""

    def select(self, entry_id: int) -> None:
        row = self._row_of(entry_id)
        if row is not None:
            self.table.selectRow(row)

    def _selected(self) -> Problem | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._problems):
            return None
        return self._problems[rows[0].row()]

    def selected_id(self) -> int | None:
        problem = self._selected()
        return problem.entry.id if problem is not None else None

    def _update_buttons(self) -> None:
        problem = self._selected()
        conflict = problem is not None and problem.entry.sync_state is SyncState.CONFLICT
        self.detail.setText(
            f"{problem.entry.issue_key}: {problem.reason}" if problem and problem.reason else ""
        )
        self.retry_button.setEnabled(problem is not None)
        self.edit_button.setEnabled(problem is not None)
        self.delete_button.setEnabled(problem is not None)
        self.keep_button.setEnabled(conflict)
        self.take_button.setEnabled(conflict and problem is not None and problem.can_take_jiras)
        cannot_take = conflict and problem is not None and not problem.can_take_jiras
        self.take_button.setToolTip(CANNOT_TAKE_TIP if cannot_take else TAKE_TIP)

    # -- choices --------------------------------------------------------------------------------

    def _ask_then_settle(self, choice: Literal["mine", "jira"]) -> None:
        """Either version replaces the other: ask first (the tray's Undo does not cover it),
        with Jira's version read now and shown beside this computer's."""
        problem = self._selected()
        if problem is None:
            return
        entry = problem.entry
        question = (
            f"Send this computer's {entry.issue_key} over the worklog in Jira?"
            if choice == "mine"
            else f"Replace this computer's {entry.issue_key} with Jira's version? "
            "If Jira deleted the worklog, the entry is deleted here too."
        )
        conflicts, zone = self._services.conflicts, self._services.tracker.zone

        def ask(jira: RemoteWorklog | None, unreadable: str = "") -> None:
            self._set_busy(False)
            compare = Comparison(entry, jira, zone, unreadable=unreadable)
            dialog = ConflictChoice(self, question, compare)
            dialog.finished.connect(
                lambda code: self._settle(choice) if code == QDialog.DialogCode.Accepted else None
            )
            self.confirm = dialog
            dialog.open()

        def unread(error: BaseException) -> None:
            # Offline, say: the choice is still the user's, with what is known here.
            ask(None, f"could not be read: {error_words(error)}")

        self._set_busy(True)
        self.message.setText("Reading Jira's version…")
        self._runner.network(lambda: conflicts.jiras_version(entry.id), ask, unread)

    def _settle(self, choice: Resolution | Literal["delete"]) -> None:
        problem = self._selected()
        if problem is None:
            return
        entry_id = problem.entry.id
        services = self._services
        said = {
            "retry": "It is sent again now.",
            "mine": "Your version is sent to Jira now.",
            "jira": "Jira's version is kept.",
            "delete": "Deleted. Undo is in the tray menu for a while.",
        }[choice]

        def call() -> Any:
            if choice == "delete":
                return services.tracker.delete(entry_id)
            return services.conflicts.resolve(entry_id, choice)

        def done(_result: object) -> None:
            self.message.setText(said)
            self.sync_requested.emit()
            self.reload()

        self._set_busy(True)
        # Taking Jira's version reads the worklog from Jira first: the network pool.
        submit = self._runner.network if choice == "jira" else self._runner.db
        submit(call, done, self._failed)

    def _failed(self, error: BaseException) -> None:
        """Shown in the panel (the runner has logged it, and opened the crash window for a bug)."""
        self._set_busy(False)
        self.message.setText(error_words(error))
        self.reload()

    def _set_busy(self, busy: bool) -> None:
        for button in self._choices:
            button.setEnabled(not busy)
        if not busy:
            self._update_buttons()

    def edit_selected(self) -> None:
        problem = self._selected()
        if problem is None:
            return

        def opened(loaded: tuple[Any, str]) -> None:
            entry, state = loaded
            dialog = EditEntryDialog(self._services, entry, self, runner=self._runner, state=state)
            dialog.setWindowModality(Qt.WindowModality.NonModal)
            dialog.accepted.connect(self._edited)
            self.edit_dialog = dialog
            dialog.show()

        entry_id, services = problem.entry.id, self._services
        self._runner.db(lambda: entry_for_editing(services, entry_id), opened, self._failed)

    def _edited(self) -> None:
        self.message.setText("Saved; it is sent again now.")
        self.sync_requested.emit()
        self.reload()
