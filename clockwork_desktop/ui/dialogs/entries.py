"""One day's entries, to read and open for editing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.attention import describe_source
from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.services.tracker import EntryView
from clockwork_desktop.ui.dialogs.common import view_state_text
from clockwork_desktop.ui.dialogs.edit_entry import EditEntryDialog
from clockwork_desktop.ui.dialogs.log_time import LogTimeDialog
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import plain_label, raise_window, tooltip
from clockwork_desktop.ui.tasks import TaskRunner, error_words


class EntriesDialog(QDialog):
    """One day's entries with their sync state and, for automatic timers, why they started and
    stopped; double-click (or Enter) edits one."""

    COLUMNS = ("Start", "End", "Issue", "Tracked", "Logs as", "State", "Comment", "Why")

    def __init__(
        self,
        services: GuiServices,
        parent: QWidget | None = None,
        day: date | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._day = day or services.tracker.today()
        self.setWindowTitle("Entries")
        self.title = plain_label("", self)
        prev = QPushButton("◀", self)
        nxt = QPushButton("▶", self)
        today = QPushButton("Today", self)
        prev.clicked.connect(lambda: self.show_day(self._day - timedelta(days=1)))
        nxt.clicked.connect(lambda: self.show_day(self._day + timedelta(days=1)))
        today.clicked.connect(lambda: self.show_day(self._services.tracker.today()))
        top = QHBoxLayout()
        top.addWidget(prev)
        top.addWidget(self.title, 1)
        top.addWidget(today)
        top.addWidget(nxt)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            self.COLUMNS.index("Comment"), QHeaderView.ResizeMode.Stretch
        )
        self.table.cellDoubleClicked.connect(lambda row, _c: self._edit(row))
        self.total = plain_label("", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.add_button = buttons.addButton("Log time…", QDialogButtonBox.ButtonRole.ActionRole)
        self.add_button.clicked.connect(self._log)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.total)
        layout.addWidget(buttons)
        self.resize(760, 360)
        self._views: list[EntryView] = []
        self._states: list[str] = []
        self._read_seq = 0
        # The windows opened from here, referenced while shown (neither is modal).
        self.edit_dialog: EditEntryDialog | None = None
        self.log_dialog: LogTimeDialog | None = None
        self.show_day(self._day)

    def show_day(self, day: date) -> None:
        """Show ``day`` now and its entries once the DB worker has read them (a later request
        wins over an earlier answer)."""
        self._day = day
        self.title.setText(day.strftime("%A, %d %B %Y"))
        self._read_seq += 1
        seq = self._read_seq
        services = self._services

        def read() -> tuple[list[EntryView], dict[str, list[dict[str, Any]]]]:
            views = services.tracker.entries(day, day)
            return views, services.auto_timers.sources([v.entry.uuid for v in views])

        def done(result: tuple[list[EntryView], dict[str, list[dict[str, Any]]]]) -> None:
            if seq == self._read_seq:
                self._fill(*result)

        def failed(exc: BaseException) -> None:
            if seq == self._read_seq:
                self.total.setText(f"The entries could not be read. {error_words(exc)}")

        if self._runner is None:  # built on its own (some tests): read inline
            done(read())
            return
        self._runner.db(read, done, failed)

    def _fill(self, views: list[EntryView], sources: dict[str, list[dict[str, Any]]]) -> None:
        zone = self._services.tracker.zone
        self.table.setRowCount(len(views))
        self._views = views
        self._states = []
        total = 0
        for row, v in enumerate(views):
            e = v.entry
            total += v.duration_seconds
            state = view_state_text(v)
            self._states.append(state)
            cells = (
                e.started_at.astimezone(zone).strftime("%H:%M"),
                e.ended_at.astimezone(zone).strftime("%H:%M") if e.ended_at else "…",
                e.issue_key,
                format_duration(v.duration_seconds),
                format_duration(v.log_seconds) if v.log_seconds else "—",
                state,
                e.comment,
                describe_source(sources.get(e.uuid, []), zone),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)  # never rich text: names from Jira stay plain
                if col in (5, 7) and text:
                    item.setToolTip(tooltip(text))
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.total.setText(f"Total: {format_duration(total)}")

    def _edit(self, row: int) -> None:
        """Edit the row's entry in a window of its own; one editor at a time."""
        if not 0 <= row < len(self._views):
            return
        current = self.edit_dialog
        entry = self._views[row].entry
        if current is not None and current.isVisible():
            if current.entry_id == entry.id:
                current.raise_()
                current.activateWindow()
                return
            current.reject()
        dialog = EditEntryDialog(
            self._services, entry, self, runner=self._runner, state=self._states[row]
        )
        dialog.accepted.connect(lambda: self.show_day(self._day))
        self.edit_dialog = dialog
        raise_window(dialog)

    def _log(self) -> None:
        if self.log_dialog is not None and self.log_dialog.isVisible():
            raise_window(self.log_dialog)
            return
        dialog = LogTimeDialog(self._services, self, runner=self._runner)
        dialog.day.setDate(QDate(self._day.year, self._day.month, self._day.day))
        dialog.accepted.connect(lambda: self.show_day(self._day))
        self.log_dialog = dialog
        raise_window(dialog)
