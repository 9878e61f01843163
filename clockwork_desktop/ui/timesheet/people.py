"""Pick people for a team by searching Jira; a search without a match says so and stays open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.models import JiraUser
from clockwork_desktop.services.timesheet import Team, TimesheetService
from clockwork_desktop.ui.plaintext import plain_label, tooltip
from clockwork_desktop.ui.tasks import TaskRunner

ACCOUNT = Qt.ItemDataRole.UserRole


class PeopleDialog(QDialog):
    """Search, tick the people, name the team, save; found people stay ticked across searches."""

    def __init__(
        self,
        runner: TaskRunner,
        sheets: TimesheetService,
        on_saved: Callable[[Team], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Team from people")
        self._runner = runner
        self._sheets = sheets
        self._on_saved = on_saved
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("Names or emails, separated by commas")
        self.query.returnPressed.connect(self.search)
        self.search_button = QPushButton("Search", self)
        self.search_button.clicked.connect(self.search)
        self.status = plain_label("Search Jira for the people in your team.", self)
        self.results = QListWidget(self)
        self.results.itemChanged.connect(lambda _item: self._update_save())
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. Backend team")
        self.name.textChanged.connect(lambda _text: self._update_save())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = buttons.addButton("Save team", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        form = QFormLayout()
        form.addRow("Team name", self.name)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(420, 360)
        self._update_save()

    def chosen(self) -> list[tuple[str, str]]:
        items = [self.results.item(i) for i in range(self.results.count())]
        return [
            (item.data(ACCOUNT), item.text())
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _update_save(self) -> None:
        self.save_button.setEnabled(bool(self.chosen()) and bool(self.name.text().strip()))

    def _busy(self, busy: bool) -> None:
        self.search_button.setEnabled(not busy)
        self.query.setEnabled(not busy)

    def search(self) -> None:
        text = self.query.text().strip()
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            self.status.setText("Type a name or an email address first.")
            return
        self._busy(True)
        self.status.setText("Searching Jira…")
        sheets = self._sheets

        def work() -> list[JiraUser]:
            return [user for part in parts for user in sheets.find_people(part)]

        def failed(error: BaseException) -> None:
            self._busy(False)
            self.status.setText(f"The search failed: {error}")

        self._runner.network(work, lambda found: self.show_results(text, found), failed)

    def show_results(self, text: str, found: list[JiraUser]) -> None:
        self._busy(False)
        kept = {account for account, _ in self.chosen()}
        for row in reversed(range(self.results.count())):  # drop what was not ticked
            item = self.results.item(row)
            if item.data(ACCOUNT) not in kept:
                self.results.takeItem(row)
        added = 0
        for user in found:
            if user.account_id in kept:
                continue
            kept.add(user.account_id)
            item = QListWidgetItem(user.display_name)
            item.setData(ACCOUNT, user.account_id)
            item.setToolTip(tooltip(user.email or user.account_id))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.results.addItem(item)
            added += 1
        if not found:
            self.status.setText(
                f"No one in Jira matches “{text}”. Try part of a name, or a whole email "
                "address; people you cannot browse in Jira are not found."
            )
        else:
            self.status.setText(f"Found {added} {'person' if added == 1 else 'people'}: tick them.")
        self._update_save()

    def save(self) -> None:
        members = self.chosen()
        name = self.name.text().strip()
        if not members or not name:
            return
        self.save_button.setEnabled(False)

        def done(team: Team) -> None:
            self.accept()
            self._on_saved(team)

        def failed(error: BaseException) -> None:
            self.status.setText(str(error))
            self._update_save()

        self._runner.db(lambda: self._sheets.save_people_team(name, members), done, failed)
