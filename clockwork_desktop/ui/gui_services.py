"""What the widgets need from the rest of the app, as one protocol (built by app/)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # types only: the tray must not pay for importing the sync engine at start
    from clockwork_desktop.core.export import Table
    from clockwork_desktop.core.ports import SettingsStore
    from clockwork_desktop.core.shortcut import ShortcutSupport
    from clockwork_desktop.services.accounts import AccountService
    from clockwork_desktop.services.auto_timers import AutoTimerService
    from clockwork_desktop.services.conflicts import ConflictService
    from clockwork_desktop.services.health import HealthService
    from clockwork_desktop.services.issues import IssueService
    from clockwork_desktop.services.nudges import NudgeService
    from clockwork_desktop.services.preferences import PreferencesService
    from clockwork_desktop.services.starts import StartService
    from clockwork_desktop.services.sync import SyncService
    from clockwork_desktop.services.timesheet import TimesheetService
    from clockwork_desktop.services.tracker import TrackerService


class GuiServices(Protocol):
    data_dir: Path
    shortcut: ShortcutSupport  # what Settings can do about the picker's global shortcut

    @property
    def tracker(self) -> TrackerService: ...

    @property
    def starts(self) -> StartService: ...

    @property
    def accounts(self) -> AccountService: ...

    @property
    def preferences(self) -> PreferencesService: ...

    @property
    def nudges(self) -> NudgeService: ...

    @property
    def auto_timers(self) -> AutoTimerService: ...

    @property
    def conflicts(self) -> ConflictService: ...

    @property
    def issues(self) -> IssueService: ...

    @property
    def sync(self) -> SyncService: ...

    @property
    def timesheets(self) -> TimesheetService: ...

    @property
    def settings(self) -> SettingsStore: ...

    @property
    def health(self) -> HealthService: ...

    def data_version(self) -> int: ...

    def system_zone(self) -> str:
        """The IANA name of the machine's own zone (what "system default" means)."""
        ...

    def issue_summary(self, key: str) -> str: ...

    def token_note(self) -> str | None:
        """Where a new sign-in's token is kept, when the user needs to know (no keyring)."""
        ...

    def xlsx_bytes(self, table: Table) -> bytes: ...
