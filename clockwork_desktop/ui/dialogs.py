"""Dialogs: log time, edit an entry, today's entries, and the away resolver."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.attention import describe_source
from clockwork_desktop.core.durations import ACCEPTED_FORMS, format_duration, parse_duration
from clockwork_desktop.core.errors import ClockworkError, InputError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import AwayChoice, AwayPeriod, Entry, normalise_issue_key
from clockwork_desktop.core.state_words import state_label
from clockwork_desktop.core.timeinput import WALL_FORMS, parse_hhmm
from clockwork_desktop.services.tracker import EntryView
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import error_label, plain_label, raise_window, tooltip
from clockwork_desktop.ui.tasks import TaskRunner, error_words

log = get_logger(__name__)


def _in_background(
    dialog: QDialog,
    runner: TaskRunner | None,
    work: Callable[[], Any],
    done: Callable[[Any], None],
    show_error: Callable[[str], None],
) -> None:
    """Run a store call on the DB worker, the dialog held still until it answers.

    Without a runner (a dialog built on its own, as in some tests) the call runs inline.
    """

    def failed(exc: BaseException) -> None:
        show_error(error_words(exc))  # on the form; a bug also opens the crash window

    def enable() -> None:
        dialog.setEnabled(True)

    if runner is None:
        try:
            result = work()
        except ClockworkError as exc:
            failed(exc)
            return
        done(result)
        return
    dialog.setEnabled(False)  # no second click while the first is being saved
    runner.db(work, done, failed, always=enable)


MIN_DIALOG_WIDTH_PX = 380  # room for an issue key, "1h 30m" and a date without squeezing


def _grow_with_contents(layout: QVBoxLayout) -> None:
    """The dialog's minimum follows its contents, so a shown error line makes it taller
    instead of squashing the fields above it; the strut keeps it from being narrow."""
    layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    layout.addStrut(MIN_DIALOG_WIDTH_PX)


def locale_date_format() -> str:
    """The locale's short date with the weekday; Qt's C locale would show "30 11 2026"."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return "ddd d MMM yyyy"
    return "ddd " + locale.dateFormat(QLocale.FormatType.ShortFormat)


def ask_first(
    parent: QWidget, title: str, question: str, answered: Callable[[int], None]
) -> QMessageBox:
    """A Yes/No question before a change that is hard to take back: plain text, No by
    default, modal to ``parent`` only (the tray and other windows keep working)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.finished.connect(answered)
    box.open()
    return box


def show_error(label: QLabel, message: str) -> None:
    """Show the error line and make room for it: the window grows rather than squeezing the
    fields (it never shrinks below the size the user gave it)."""
    label.setText(message)
    label.show()
    window = label.window()
    layout = window.layout()
    if layout is not None:
        layout.activate()
    hint = window.sizeHint()
    window.resize(max(window.width(), hint.width()), max(window.height(), hint.height()))


def _qdatetime(instant: datetime, zone: ZoneInfo) -> QDateTime:
    local = instant.astimezone(zone)
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute, local.second),
        QTimeZone(zone.key.encode()),
    )


def _instant(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


class LogTimeDialog(QDialog):
    """Log time by hand: issue, duration, date and optional start time, comment."""

    def __init__(
        self,
        services: GuiServices,
        parent: QWidget | None = None,
        issue_key: str = "",
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log time")
        self._services = services
        self._runner = runner
        tracker = services.tracker
        self.issue = QLineEdit(issue_key, self)
        self.issue.setPlaceholderText("PROJ-123")
        self.duration = QLineEdit(self)
        self.duration.setPlaceholderText("1h 30m")
        self.duration.setToolTip(f"Accepted: {ACCEPTED_FORMS}")
        self.preview = plain_label("", self)
        self.day = QDateEdit(self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat(locale_date_format())
        today = tracker.today()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.use_start = QCheckBox("Start at", self)
        # Plain text, read when saving: a time editor rewrites "930" into "09:00" as you type.
        self.start = QLineEdit(self)
        self.start.setPlaceholderText("09:00")
        self.start.setToolTip("9, 930, 9:30 or 09:30")
        self.start.setMaximumWidth(90)
        self.start.setEnabled(False)
        self.use_start.toggled.connect(self.start.setEnabled)
        self.comment = QLineEdit(self)
        self.error = error_label(self)

        form = QFormLayout()
        form.addRow("Issue", self.issue)
        form.addRow("Duration", self.duration)
        form.addRow("", self.preview)
        form.addRow("Date", self.day)
        row = QHBoxLayout()
        row.addWidget(self.use_start)
        row.addWidget(self.start)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow("Comment", self.comment)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Log")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        _grow_with_contents(layout)
        self.duration.textChanged.connect(self._preview)
        self.saved: Entry | None = None

    def _preview(self, text: str) -> None:
        try:
            seconds = parse_duration(text)
        except ClockworkError:
            self.preview.setText("" if not text.strip() else "Not a duration yet")
            return
        self.preview.setText(f"= {format_duration(seconds)}")

    def _show_error(self, message: str) -> None:
        show_error(self.error, message)

    def _save(self) -> None:
        try:
            key = normalise_issue_key(self.issue.text())
            seconds = parse_duration(self.duration.text())
            qd = self.day.date()
            start = None
            if self.use_start.isChecked():
                start = parse_hhmm(self.start.text() or "09:00")
                if start is None:
                    raise InputError(
                        f"Not a start time: {self.start.text()!r}. Accepted: {WALL_FORMS}."
                    )
        except ClockworkError as exc:
            self._show_error(str(exc))
            return
        tracker, comment = self._services.tracker, self.comment.text()
        day = date(qd.year(), qd.month(), qd.day())

        def saved(entry: Entry) -> None:
            self.saved = entry
            self.accept()

        _in_background(
            self,
            self._runner,
            lambda: tracker.log_time(key, seconds, day=day, start_time=start, comment=comment),
            saved,
            self._show_error,
        )


def view_state_text(view: EntryView) -> str:
    """An entry's sync state in the words the CLI uses, with Jira's reason when it has one."""
    return state_label(view.state, view.entry.error, view.entry.needs_review)


def state_text(services: GuiServices, entry: Entry) -> str:
    """The entry's sync state in words (reads the store: call it on the DB worker)."""
    return view_state_text(services.tracker.view(entry))


def entry_for_editing(services: GuiServices, entry_id: int) -> tuple[Entry, str]:
    """An entry and its state in words, read together on the DB worker for the edit dialog."""
    entry = services.tracker.get(entry_id)
    return entry, state_text(services, entry)


class EditEntryDialog(QDialog):
    """Fix a mistake: issue, start, end, comment; or delete the entry."""

    def __init__(
        self,
        services: GuiServices,
        entry: Entry,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit entry #{entry.id}")
        self._services = services
        self._runner = runner
        self._entry = entry
        self.entry_id = entry.id
        zone = services.tracker.zone
        self.issue = QLineEdit(entry.issue_key, self)
        self.start = QDateTimeEdit(_qdatetime(entry.started_at, zone), self)
        self.start.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.end = QDateTimeEdit(self)
        self.end.setDisplayFormat("yyyy-MM-dd HH:mm")
        if entry.ended_at is not None:
            self.end.setDateTime(_qdatetime(entry.ended_at, zone))
        else:
            self.end.setEnabled(False)
            self.end.setToolTip("The timer is running; stop it to set its end.")
        self.comment = QLineEdit(entry.comment, self)
        # A caller that already read the entry's state passes it: no store read here.
        self.state = plain_label(state if state is not None else self._state_text(), self)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow("Issue", self.issue)
        form.addRow("Start", self.start)
        form.addRow("End", self.end)
        form.addRow("Comment", self.comment)
        form.addRow("Sync", self.state)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.delete_button = buttons.addButton(
            "Delete", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.clicked.connect(self._delete)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        _grow_with_contents(layout)
        self.deleted = False
        self.confirm: QMessageBox | None = None

    def _state_text(self) -> str:
        return state_text(self._services, self._entry)

    def _save(self) -> None:
        e = self._entry
        try:
            start = _instant(self.start.dateTime())
            end = _instant(self.end.dateTime()) if e.ended_at is not None else None
            new_key = self.issue.text().strip().upper()
        except ClockworkError as exc:
            self._show_error(str(exc))
            return
        tracker, comment = self._services.tracker, self.comment.text()
        _in_background(
            self,
            self._runner,
            lambda: tracker.edit(
                e.id,
                issue_key=new_key if new_key != e.issue_key else None,
                start=start if start != e.started_at else None,
                end=end if end is not None and end != e.ended_at else None,
                comment=comment if comment != e.comment else None,
            ),
            lambda _r: self.accept(),
            self._show_error,
        )

    def _show_error(self, message: str) -> None:
        show_error(self.error, message)

    def _delete(self) -> None:
        seconds = self._entry.duration_seconds(self._services.tracker.now())
        self.confirm = ask_first(
            self,
            "Delete entry",
            f"Delete {self._entry.issue_key} ({format_duration(seconds)})?",
            self._delete_answered,
        )

    def _delete_answered(self, answer: int) -> None:
        if answer != QMessageBox.StandardButton.Yes:
            return
        tracker, entry_id = self._services.tracker, self._entry.id

        def deleted(_result: Any) -> None:
            self.deleted = True
            self.accept()

        _in_background(
            self, self._runner, lambda: tracker.delete(entry_id), deleted, self._show_error
        )


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


class AwayDialog(QDialog):
    """You were away from 12:03 to 12:41: keep / discard / stop at 12:03 / assign to another."""

    def __init__(
        self,
        services: GuiServices,
        period: AwayPeriod,
        issue_key: str,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.period = period
        zone = services.tracker.zone
        start = period.start.astimezone(zone).strftime("%H:%M")
        end = period.end.astimezone(zone).strftime("%H:%M")
        reason = {
            "idle": "You were away",
            "sleep": "The computer was asleep",
            "not_running": "Clockwork Desktop was not running",
        }.get(period.reason, "You were away")
        self.setWindowTitle("Were you working?")
        self.message = plain_label(
            f"{reason} from {start} to {end} ({format_duration(period.seconds)}) while "
            f"{issue_key} was running. What should happen to that time?",
            self,
        )
        self.keep = QRadioButton(f"Keep it on {issue_key}", self)
        self.discard = QRadioButton("Discard it, and keep the timer running", self)
        self.stop = QRadioButton(f"Stop the timer at {start}", self)
        self.assign = QRadioButton("Assign it to another issue:", self)
        self.other = QLineEdit(self)
        self.other.setPlaceholderText("PROJ-123")
        self.other.setEnabled(False)
        self.assign.toggled.connect(self.other.setEnabled)
        self.keep.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.keep, self.discard, self.stop, self.assign):
            group.addButton(button)
        self.error = error_label(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self._apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        for button in (self.keep, self.discard, self.stop):
            layout.addWidget(button)
        row = QHBoxLayout()
        row.addWidget(self.assign)
        row.addWidget(self.other, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        _grow_with_contents(layout)
        self.choice = "keep"

    def _apply(self) -> None:
        choice: AwayChoice = "keep"
        if self.discard.isChecked():
            choice = "discard"
        elif self.stop.isChecked():
            choice = "stop"
        elif self.assign.isChecked():
            choice = "assign"
        tracker, period = self._services.tracker, self.period
        other = self.other.text() if choice == "assign" else None

        def applied(_result: Any) -> None:
            self.choice = choice
            self.accept()

        _in_background(
            self,
            self._runner,
            lambda: tracker.resolve_away(period, choice, other),
            applied,
            lambda message: show_error(self.error, message),
        )
