"""Without a keyring a person at the desktop can still sign in: the token lives in memory until
the app quits (never in a file), and the app says so instead of pointing at an environment
variable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.infra.jira.client import HttpJiraConnector
from clockwork_desktop.ui.signin import SignInDialog
from clockwork_desktop.ui.tray import TrayController
from tests.conftest import FakeClock
from tests.support.jira import Sleeps


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def desktop_services(data: Path) -> AppServices:
    return AppServices(
        data,
        FakeClock(datetime(2026, 3, 9, 14, 0, tzinfo=UTC)),
        connector=HttpJiraConnector(sleep=Sleeps()),
        session_fallback=True,
    )


@pytest.mark.usefixtures("no_keyring")
def test_sign_in_without_a_keyring_keeps_the_token_for_the_session(
    qtbot, tmp_path: Path, runner, jira: FakeJira
) -> None:
    services = desktop_services(tmp_path / "data")
    try:
        dialog = SignInDialog(services, runner)
        qtbot.addWidget(dialog)
        dialog.url.setText(jira.base_url)
        dialog.email.setText("alice@example.com")
        dialog.token.setText("alice-token")
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: dialog.choice == "signed_in", timeout=5000)
        assert "CLOCKWORK_JIRA_TOKEN" not in dialog.result_label.text()
        note = services.token_note()
        assert note is not None
        assert "until it quits" in note
        (account,) = services.accounts.accounts()
        client = services.accounts.client(account)  # the token is there for this session
        assert client.myself().display_name == "Alice Example"
        client.close()
        for path in (tmp_path / "data").rglob("*"):
            if path.is_file():
                assert b"alice-token" not in path.read_bytes(), path
    finally:
        services.close()
    again = desktop_services(tmp_path / "data")  # the app started again: sign in once more
    tray = TrayController(again, runner, use_tray=False)  # type: ignore[arg-type]
    try:
        assert again.credentials.get_token(again.accounts.accounts()[0]) is None
        assert again.token_note() is None
        report = again.sync.sync()
        assert report.needs_sign_in == (again.accounts.accounts()[0].name,)
        tray.sync_finished(report)
        qtbot.waitUntil(  # the way back, from the tray itself
            lambda: "Sign in…" in [a.text() for a in tray.menu.actions() if a.isVisible()],
            timeout=3000,
        )
        # Signed out, not offline: Jira answers, this computer has no token to send.
        assert tray._icon_state() == "signed-out"
        assert "Offline" not in tray.tooltip()
        assert "Signed out" in tray.tooltip()
        tray.sign_in()
        dialog = tray._sign_in_dialog
        assert dialog is not None
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.url.text() == jira.base_url, timeout=3000)
        assert dialog.email.text() == "alice@example.com"
        assert dialog.token.text() == ""
    finally:
        qtbot.waitUntil(lambda: not runner._pending, timeout=3000)  # reads done before closing
        tray.shutdown()
        tray.picker.close()
        again.close()
