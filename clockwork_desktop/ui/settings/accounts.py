"""The settings window's Accounts tab: the signed-in accounts, sign in, and sign out on Save."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.models import Account
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import plain_label
from clockwork_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from clockwork_desktop.ui.signin import SignInDialog


class AccountsTab(QDialog):
    """The Accounts tab of SettingsDialog (dialog.py), which sets these up and loads them."""

    _services: GuiServices
    _runner: TaskRunner
    _accounts: list[Account]
    sign_out_pending: set[str]
    sign_in_dialog: SignInDialog | None

    def _failed(self, exc: BaseException) -> None:
        raise NotImplementedError

    def _accounts_tab(self) -> QWidget:
        page = QWidget(self)
        self.accounts = QListWidget(page)
        self.accounts.currentRowChanged.connect(self._selection_changed)
        self.sign_in_button = QPushButton("Sign in to Jira…", page)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.sign_out_button = QPushButton("Sign out", page)
        self.sign_out_button.setEnabled(False)  # until an account is selected
        self.sign_out_button.clicked.connect(self._toggle_sign_out)
        self.account_hint = plain_label("", page)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.accounts)
        layout.addLayout(buttons)
        layout.addWidget(self.account_hint)
        return page

    # -- accounts ---------------------------------------------------------------------------

    def _fill_accounts(self) -> None:
        row = self.accounts.currentRow()
        self.accounts.clear()
        for a in self._accounts:
            if a.name in self.sign_out_pending:
                state = "signs out when you save"
            elif a.auth_blocked:
                state = "token refused: sign in again"
            else:
                state = "signed in"
            default = " (default)" if a.is_default else ""
            self.accounts.addItem(f"{a.name}{default} — {a.url} as {a.display_name} · {state}")
        if not self._accounts:
            self.accounts.addItem("Not signed in: your time is kept on this computer.")
            self.accounts.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        elif 0 <= row < len(self._accounts):
            self.accounts.setCurrentRow(row)
        elif len(self._accounts) == 1:
            self.accounts.setCurrentRow(0)  # nothing to choose between
        self._selection_changed(self.accounts.currentRow())

    def _selected_account(self) -> Account | None:
        row = self.accounts.currentRow()
        return self._accounts[row] if 0 <= row < len(self._accounts) else None

    def _selection_changed(self, _row: int) -> None:
        account = self._selected_account()
        self.sign_out_button.setEnabled(account is not None)
        if account is None:
            self.sign_out_button.setText("Sign out")
            self.account_hint.setText(
                "Select an account to sign out of it." if self._accounts else ""
            )
            return
        pending = account.name in self.sign_out_pending
        self.sign_out_button.setText("Keep signed in" if pending else "Sign out")
        self.account_hint.setText(
            "Its token is removed from this computer when you save; Cancel keeps it."
            if pending
            else ""
        )

    def _toggle_sign_out(self) -> None:
        account = self._selected_account()
        if account is None:
            return
        self.sign_out_pending ^= {account.name}
        self._fill_accounts()

    def _sign_in(self) -> None:
        """Sign in over this window only (window-modal): the tray and other windows work on."""
        from clockwork_desktop.ui.signin import SignInDialog

        dialog = SignInDialog(self._services, self._runner, self, offer_offline=False)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(
            lambda _code: self._runner.db(
                self._services.accounts.accounts, self._accounts_read, self._failed
            )
        )
        self.sign_in_dialog = dialog
        dialog.open()

    def _accounts_read(self, accounts: list[Account]) -> None:
        self._accounts = accounts
        self._fill_accounts()
