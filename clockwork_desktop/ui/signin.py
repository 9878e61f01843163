"""Sign in to Jira: site, email and API token (Cloud) or a personal access token (DC)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import plain_label
from clockwork_desktop.ui.tasks import TaskRunner

log = get_logger(__name__)


class SignInDialog(QDialog):
    """The first-run dialog too: it offers working offline and trying the demo."""

    def __init__(
        self,
        services: GuiServices,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        offer_offline: bool = True,
        account: Account | None = None,
    ) -> None:
        """``account``: the site signed out of; its address and email are filled in."""
        super().__init__(parent)
        self.setWindowTitle("Sign in to Jira")
        self._services = services
        self._runner = runner
        self.choice = "cancel"
        intro = plain_label(
            "Clockwork Desktop keeps your time on this computer and sends it to Jira as "
            "worklogs. Jira Cloud: your Atlassian email and an API token (from "
            "id.atlassian.com › Security › API tokens). Jira Data Center: a personal access "
            "token, no email.",
            self,
        )
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://your-company.atlassian.net")
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("you@company.com (Jira Cloud only)")
        self.token = QLineEdit(self)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("API token or personal access token")
        self.result_label = plain_label("", self)
        if account is not None:
            self.url.setText(account.url)
            self.email.setText(account.email or "")
            self.token.setFocus()
        form = QFormLayout()
        form.addRow("Jira address", self.url)
        form.addRow("Email", self.email)
        form.addRow("Token", self.token)
        buttons = QDialogButtonBox(self)
        self.test_button = QPushButton("Test connection", self)
        self.sign_in_button = QPushButton("Sign in", self)
        self.sign_in_button.setDefault(True)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        if offer_offline:
            offline = buttons.addButton(
                "Work offline for now", QDialogButtonBox.ButtonRole.RejectRole
            )
            offline.clicked.connect(lambda: self._finish("offline"))
            demo = buttons.addButton("Try with demo data", QDialogButtonBox.ButtonRole.ActionRole)
            demo.clicked.connect(lambda: self._finish("demo"))
        else:
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self._test)
        self.sign_in_button.clicked.connect(self._sign_in)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)
        self.resize(520, 280)

    def _finish(self, choice: str) -> None:
        self.choice = choice
        if choice in ("signed_in", "demo"):
            self.accept()
        else:
            self.reject()

    def _busy(self, busy: bool, text: str = "") -> None:
        self.test_button.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        if text:
            self.result_label.setText(text)

    def _inputs(self) -> tuple[str, str, str | None]:
        return self.url.text(), self.token.text(), self.email.text().strip() or None

    def _error(self, error: BaseException) -> None:
        self._busy(False)
        if isinstance(error, ClockworkError):
            message = str(error)
        else:
            log.error("sign-in failed", exc_info=error)
            message = (
                "Signing in did not work. Check the address and the token, then try again; "
                "the details are in the log (tray menu › Open log folder)."
            )
        self.result_label.setText(message)

    def _test(self) -> None:
        url, token, email = self._inputs()
        self._busy(True, "Asking Jira…")

        def done(result: tuple[str, object]) -> None:
            deployment, user = result
            self._busy(False)
            kind = "Jira Cloud" if deployment == "cloud" else "Jira Data Center"
            self.result_label.setText(
                f"Connected to {kind} as {user.display_name} ({user.time_zone or 'no time zone'})."  # type: ignore[attr-defined]
            )

        self._runner.network(
            lambda: self._services.accounts.check(url, token, email=email), done, self._error
        )

    def _sign_in(self) -> None:
        url, token, email = self._inputs()
        self._busy(True, "Signing in…")

        def done(_result: object) -> None:
            self._busy(False)
            self._finish("signed_in")

        self._runner.network(
            lambda: self._services.accounts.login(url, token, email=email), done, self._error
        )
