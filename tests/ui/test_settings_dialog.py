"""The Settings dialog edits one Settings value: loaded and saved off the GUI thread, each
problem shown on its field, and a sign-out that only happens on Save."""

from __future__ import annotations

import threading
from datetime import time

import pytest
from PySide6.QtCore import QTime

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.settings import DEFAULT_SETTINGS
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.settings import SettingsDialog, ShortcutSupport


def open_dialog(qtbot, services: AppServices, runner, **kwargs) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(services, runner, **kwargs)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.value is not None, timeout=5000)
    return dialog


def save_and_wait(qtbot, dialog: SettingsDialog) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()


def test_preview_then_save_writes_the_whole_value_off_the_gui_thread(
    qtbot, services: AppServices, runner
) -> None:
    threads: list[str] = []
    real = services.store.save_settings

    def recording(value, also=None):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        real(value, also)

    services.store.save_settings = recording  # type: ignore[method-assign]
    dialog = open_dialog(qtbot, services, runner)
    assert "40s → stays local" in dialog.preview.text()
    dialog.mode.setCurrentIndex(dialog.mode.findData("up"))
    dialog.step.setCurrentIndex(dialog.step.findData(15))
    assert "7m → 15m" in dialog.preview.text()
    dialog.interval.setValue(15)
    dialog.idle.setValue(0)
    dialog.days[5].setChecked(True)
    save_and_wait(qtbot, dialog)
    assert threads
    assert threading.main_thread().name not in threads
    saved = services.store.load_settings()
    assert saved.rounding.describe() == "up:15"
    assert (saved.sync_interval_min, saved.idle_threshold_min) == (15, 0)
    assert saved.work_days == (0, 1, 2, 3, 4, 5)
    assert services.tracker.view(services.tracker.log_time("R-1", 61)).log_seconds == 900


def test_working_hours_that_end_before_they_start_are_refused_on_their_field(
    qtbot, services: AppServices, runner
) -> None:
    dialog = open_dialog(qtbot, services, runner)
    dialog.tabs.setCurrentIndex(0)
    hours = dialog.hours_page
    for day in range(5):  # every working day: the usual hours themselves are wrong
        hours.starts[day].setTime(QTime(9, 0))
        hours.ends[day].setTime(QTime(8, 0))
    dialog.save_button.click()
    label = dialog.field_errors["work_end"]
    assert label.isVisibleTo(dialog)
    assert "09:00 to 08:00" in label.text()
    assert dialog.tabs.currentWidget() is hours, "the tab with the bad field is shown"
    assert dialog.result() == 0
    assert services.store.load_settings().work_end == time(17, 0)
    for day in range(5):  # fixing the field clears its message
        hours.ends[day].setTime(QTime(17, 30))
    assert not label.isVisibleTo(dialog)
    save_and_wait(qtbot, dialog)
    assert services.store.load_settings().work_end == time(17, 30)


def test_autostart_is_set_with_the_save(qtbot, services: AppServices, runner) -> None:
    calls: list[bool] = []

    class Recorder:
        def set_enabled(self, enabled: bool) -> None:
            calls.append(enabled)

    dialog = open_dialog(qtbot, services, runner, autostart=Recorder())
    dialog.autostart_box.setChecked(True)
    save_and_wait(qtbot, dialog)
    assert calls == [True]
    assert services.store.load_settings().autostart is True


def test_time_zone_is_searchable_and_saved(qtbot, services: AppServices, runner) -> None:
    services.store.set_setting("timezone", "")  # the system's zone, as on a fresh install
    dialog = open_dialog(qtbot, services, runner)
    assert dialog.zone.currentText().startswith("System default (")
    assert dialog.chosen_zone() == ""
    completer = dialog.zone.completer()
    completer.setCompletionPrefix("tokyo")  # a part of the name, in any case
    assert completer.currentCompletion() == "Asia/Tokyo"
    dialog.zone.setCurrentIndex(dialog.zone.findData("Asia/Tokyo"))
    save_and_wait(qtbot, dialog)
    assert services.store.load_settings().timezone == "Asia/Tokyo"


def test_an_unknown_time_zone_is_refused_on_its_field(qtbot, services: AppServices, runner) -> None:
    dialog = open_dialog(qtbot, services, runner)
    dialog.zone.setEditText("Mars/Olympus")
    dialog.save_button.click()
    assert "not a known time zone" in dialog.field_errors["timezone"].text()
    assert services.store.load_settings().timezone == "Europe/Berlin"


def test_sign_out_needs_a_selected_account(qtbot, services: AppServices, runner, jira: FakeJira):  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, services, runner)
    assert not dialog.sign_out_button.isEnabled(), "nobody is signed in"
    dialog.close()
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com", name="a")
    services.accounts.login(jira.base_url, "bob-token", email="bob@example.com", name="b")
    dialog = open_dialog(qtbot, services, runner)
    assert dialog.accounts.currentRow() == -1
    assert not dialog.sign_out_button.isEnabled()
    assert "Select an account" in dialog.account_hint.text()
    dialog.accounts.setCurrentRow(1)
    assert dialog.sign_out_button.isEnabled()


@pytest.mark.parametrize("confirm", [False, True])
def test_sign_out_happens_on_save_and_cancel_keeps_the_token(
    qtbot, services: AppServices, runner, jira: FakeJira, confirm: bool
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    account = services.accounts.accounts()[0]
    dialog = open_dialog(qtbot, services, runner)
    assert dialog.accounts.currentRow() == 0, "the only account is selected"
    dialog.sign_out_button.click()
    assert "signs out when you save" in dialog.accounts.item(0).text()
    assert dialog.sign_out_button.text() == "Keep signed in"
    assert services.credentials.get_token(account) == "alice-token"
    if confirm:
        save_and_wait(qtbot, dialog)
        assert services.credentials.get_token(account) is None
    else:
        dialog.buttons.rejected.emit()
        assert services.credentials.get_token(account) == "alice-token"
        assert services.accounts.accounts()[0].name == account.name


def test_without_a_global_shortcut_settings_says_how_to_bind_one(
    qtbot, services: AppServices, runner
) -> None:
    reason = "Wayland does not let applications set global shortcuts."
    dialog = open_dialog(qtbot, services, runner, shortcut=ShortcutSupport(False, reason))
    text = dialog.shortcut_hint.text()
    assert reason in text
    assert "clockwork-desktop pick" in text
    assert dialog.shortcut.isHidden(), "no key field that nothing would use"
    supported = open_dialog(qtbot, services, runner, shortcut=ShortcutSupport(True, ""))
    assert "clockwork-desktop pick" not in supported.shortcut_hint.text()
    assert not supported.shortcut.isHidden()
    assert supported.shortcut.keySequence().toString() == DEFAULT_SETTINGS.picker_shortcut


def test_a_shortcut_another_program_holds_is_said_on_its_field_and_not_saved(
    qtbot, services: AppServices, runner
) -> None:
    from PySide6.QtGui import QKeySequence

    claims: list[tuple[str, str]] = []
    answers = ["Ctrl+Alt+J is already taken by another program: choose another shortcut.", None]

    def claim(spec: str) -> str | None:
        claims.append((spec, threading.current_thread().name))
        return answers.pop(0)

    support = ShortcutSupport(True, "", claim)
    dialog = open_dialog(qtbot, services, runner, shortcut=support)
    dialog.shortcut.setKeySequence(QKeySequence("Ctrl+Alt+J"))
    dialog.save_button.click()
    label = dialog.field_errors["picker_shortcut"]
    qtbot.waitUntil(lambda: "already taken" in label.text(), timeout=5000)
    assert dialog.save_button.isEnabled()
    assert services.store.load_settings().picker_shortcut == DEFAULT_SETTINGS.picker_shortcut
    save_and_wait(qtbot, dialog)
    assert services.store.load_settings().picker_shortcut == "Ctrl+Alt+J"
    assert [spec for spec, _ in claims] == ["Ctrl+Alt+J", "Ctrl+Alt+J"]
    assert threading.main_thread().name not in {name for _, name in claims}


def test_a_shortcut_that_would_eat_a_letter_is_refused_before_any_claim(
    qtbot, services: AppServices, runner
) -> None:
    from PySide6.QtGui import QKeySequence

    def claim(spec: str) -> str | None:
        raise AssertionError(f"{spec} should not be claimed")

    dialog = open_dialog(qtbot, services, runner, shortcut=ShortcutSupport(True, "", claim))
    dialog.shortcut.setKeySequence(QKeySequence("Shift+K"))
    dialog.save_button.click()
    assert "add Ctrl, Alt or Meta" in dialog.field_errors["picker_shortcut"].text()
    dialog.shortcut.setKeySequence(QKeySequence())  # none at all: nothing to claim
    save_and_wait(qtbot, dialog)
    assert services.store.load_settings().picker_shortcut == ""
