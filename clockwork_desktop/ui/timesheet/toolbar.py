"""The week toolbar: previous / date / next / this week, the week's label, export and copy."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDateEdit, QLabel, QToolBar, QWidget


class WeekToolbar(QToolBar):
    week_chosen = Signal(object)  # a date inside the wanted week
    week_stepped = Signal(int)  # days to move: -7 or 7
    this_week_chosen = Signal()
    export_requested = Signal(str)  # the file suffix: ".csv" or ".xlsx"
    copy_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Week", parent)
        self.setMovable(False)
        self.previous = QAction("◀ Previous week", self)
        self.previous.setShortcut(QKeySequence("Alt+Left"))
        self.previous.triggered.connect(lambda: self.week_stepped.emit(-7))
        self.next = QAction("Next week ▶", self)
        self.next.setShortcut(QKeySequence("Alt+Right"))
        self.next.triggered.connect(lambda: self.week_stepped.emit(7))
        self.this_week = QAction("This week", self)
        self.this_week.setShortcut(QKeySequence("Alt+Home"))
        self.this_week.triggered.connect(self.this_week_chosen)
        self.picker = QDateEdit(self)
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("ddd d MMM yyyy")
        self.picker.dateChanged.connect(
            lambda d: self.week_chosen.emit(date(d.year(), d.month(), d.day()))
        )
        self.week_label = QLabel(self)
        self.addAction(self.previous)
        self.addWidget(self.picker)
        self.addAction(self.next)
        self.addAction(self.this_week)
        self.addSeparator()
        self.addWidget(self.week_label)
        self.addSeparator()
        self.export_csv = QAction("Export CSV…", self)
        self.export_csv.triggered.connect(lambda: self.export_requested.emit(".csv"))
        self.export_xlsx = QAction("Export XLSX…", self)
        self.export_xlsx.triggered.connect(lambda: self.export_requested.emit(".xlsx"))
        self.copy_action = QAction("Copy", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.triggered.connect(self.copy_requested)
        for action in (self.export_csv, self.export_xlsx, self.copy_action):
            self.addAction(action)

    def show_week(self, anchor: date, days: tuple[date, ...]) -> None:
        self.picker.blockSignals(True)
        self.picker.setDate(QDate(anchor.year, anchor.month, anchor.day))
        self.picker.blockSignals(False)
        self.week_label.setText(f"{days[0]:%d %b} – {days[-1]:%d %b %Y}")
