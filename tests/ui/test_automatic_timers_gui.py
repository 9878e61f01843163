"""Automatic timers as a GUI user meets them: the branch's issue first in the picker, the
tray's question and warning, notifications that say why, and the reason beside each entry."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.tray import TrayController


def checkout(repo: Path, branch: str) -> None:
    (repo / ".git").mkdir(parents=True, exist_ok=True)
    (repo / ".git" / "HEAD").write_text(f"ref: refs/heads/{branch}\n", encoding="utf-8")


def texts(picker) -> list[str]:  # type: ignore[no-untyped-def]
    return [picker.list.item(i).text() for i in range(picker.list.count())]


def test_the_picker_offers_the_branchs_issue_first(
    qtbot, controller: TrayController, services: AppServices, jira: FakeJira, tmp_path: Path
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    repo = tmp_path / "shop"
    checkout(repo, "main")
    services.attention.add_repo(str(repo))
    services.attention.poll_branches(force=True)
    checkout(repo, "PROJ-2-fix-login-page")
    services.attention.poll_branches(force=True)
    picker = controller.picker
    controller.show_picker()
    qtbot.waitUntil(lambda: "My open issues" in texts(picker), timeout=3000)
    shown = texts(picker)
    assert shown[0] == "From your git branch"
    assert shown[1].startswith("PROJ-2")
    assert shown[1].endswith("(from branch PROJ-2-fix-login-page)")
    assert picker.list.currentRow() == 1, "Enter starts the branch's issue"
    assert shown.count(shown[1]) == 1
    assert not any(t.startswith("PROJ-2 ") for t in shown[2:]), "listed once"
    qtbot.keyClicks(picker.field, "login")  # matches the branch, not the summary
    assert texts(picker)[1].startswith("PROJ-2")
    picker.field.clear()
    qtbot.keyClicks(picker.field, "zzz")
    assert "From your git branch" not in texts(picker)
    picker.field.clear()
    with qtbot.waitSignal(picker.issue_chosen, timeout=3000) as chosen:
        qtbot.keyClick(picker.field, Qt.Key.Key_Return)
    assert chosen.args == ["PROJ-2"]
