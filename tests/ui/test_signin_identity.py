"""The sign-in form refuses another person under an account that is someone else's, and says
what to do, as `login` does (no traceback, nothing saved)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.signin import SignInDialog
from tests.conftest import FakeClock
from tests.support.jira import fill_sign_in, make_app


@pytest.mark.usefixtures("memory_keyring")
def test_signing_in_as_another_person_shows_what_to_do(
    qtbot, tmp_path: Path, runner, jira: FakeJira
) -> None:
    services = make_app(tmp_path / "data", FakeClock(datetime(2026, 3, 9, 12, 0, tzinfo=UTC)))
    try:
        dialog = SignInDialog(services, runner)
        qtbot.addWidget(dialog)
        fill_sign_in(dialog, jira.base_url)
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled(), timeout=5000)
        assert dialog.choice == "signed_in", dialog.result_label.text()

        again = SignInDialog(services, runner, offer_offline=False)
        qtbot.addWidget(again)
        again.url.setText(jira.base_url)
        again.email.setText("bob@example.com")
        again.token.setText("bob-token")
        again.sign_in_button.click()
        qtbot.waitUntil(lambda: again.sign_in_button.isEnabled(), timeout=5000)
        shown = again.result_label.text()
        assert "Bob Builder" in shown
        assert "Alice Example" in shown
        assert "another account name" in shown
        assert "Traceback" not in shown
        assert again.choice != "signed_in"
        (account,) = services.accounts.accounts()
        assert account.account_id == "acc-alice"
        assert services.credentials.get_token(account) == "alice-token"
    finally:
        qtbot.waitUntil(lambda: not runner._pending, timeout=3000)
        services.close()
