"""What the dialogs share: saving on the DB worker, sizes, questions, error lines, dates,
and an entry's state in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLayout,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.models import Entry
from clockwork_desktop.core.state_words import state_label
from clockwork_desktop.services.tracker import EntryView
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.tasks import TaskRunner, error_words


def in_background(
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


def grow_with_contents(layout: QVBoxLayout) -> None:
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


def qdatetime(instant: datetime, zone: ZoneInfo) -> QDateTime:
    local = instant.astimezone(zone)
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute, local.second),
        QTimeZone(zone.key.encode()),
    )


def instant_of(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


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
