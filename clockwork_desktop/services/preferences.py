"""Settings: reading and changing what the user chose (the Settings window, `auto` commands).

Every setting is one typed value, ``core.settings.Settings``, checked as a whole before it is
saved. Automatic timers and nudges read their choices through this service: its
``current()`` is the one source for every rule they apply.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from clockwork_desktop.core.attention import PollCursor, WorkingHours
from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.ports import AutoTimerState, SettingsStore
from clockwork_desktop.core.settings import AutoSettings, Settings


class PreferencesService:
    def __init__(self, settings: SettingsStore, state: AutoTimerState, clock: Clock) -> None:
        self._settings = settings
        self._state = state
        self._clock = clock

    def current(self) -> Settings:
        """The typed settings as stored now."""
        return self._settings.load_settings()

    def auto(self) -> AutoSettings:
        """The automatic timers' part of the settings."""
        return self.current().auto

    def hours(self) -> WorkingHours:
        return self.current().working_hours()

    def save_settings(self, value: Settings) -> None:
        """Save every setting in one transaction. An account whose timers from Jira are turned
        on now gets a fresh poll cursor with them: changes from before are never replayed."""
        value.check()
        now = self._clock.now()

        def save() -> None:
            before = self.auto()
            self._settings.save_settings(value)
            for name, on in value.auto.jira:
                if on and not before.jira_on(name):
                    self._state.set_poll_cursor(name, PollCursor.fresh(now))

        self._settings.transaction(save)

    def _save_auto(self, auto: AutoSettings) -> None:
        chosen = dataclasses.replace(self.current(), auto=auto)
        chosen.check()
        self.save_settings(chosen)

    # -- the automatic timers' choices (Settings → Automatic timers, `auto` commands) ----------

    def jira_enabled(self, account: str) -> bool:
        return self.auto().jira_on(account)

    def set_jira(self, account: str, enabled: bool) -> None:
        """Opt an account in or out; changes before this moment are never replayed."""
        self._save_auto(self.auto().with_jira(account, enabled))

    def choose(self, key: str, value: str) -> None:
        """Set one of the automatic timers' choices (validated with the rest of the settings)."""
        choices: dict[str, Any] = {key: value}
        self._save_auto(dataclasses.replace(self.auto(), **choices))

    def set_active_statuses(self, names: list[str]) -> None:
        """Status names that count as working on an issue; none: the In Progress category."""
        chosen = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
        self._save_auto(dataclasses.replace(self.auto(), active_statuses=chosen))

    def repos(self) -> list[str]:
        return list(self.auto().repos)

    def add_repo(self, path: str) -> list[str]:
        repos = self.repos()
        if path not in repos:
            repos.append(path)
        self._save_auto(dataclasses.replace(self.auto(), repos=tuple(repos)))
        return repos

    def remove_repo(self, path: str) -> list[str]:
        repos = self.repos()
        if path not in repos:
            raise InputError(f"{path} is not watched. Watched: {', '.join(repos) or 'none'}.")
        repos.remove(path)
        self._save_auto(dataclasses.replace(self.auto(), repos=tuple(repos)))
        return repos

    def poll_seconds(self) -> int:
        return self.auto().poll_s

    def auto_summary(self, accounts: list[str]) -> dict[str, Any]:
        """The automatic timers' choices, as `auto status` shows them."""
        auto = self.auto()
        return {
            "jira": {name: auto.jira_on(name) for name in accounts},
            "active_statuses": list(auto.active_statuses) or "In Progress",
            "on_other_timer": auto.on_conflict,
            "transition": auto.transition,
            "branch": auto.branch,
            "repos": list(auto.repos),
            "poll_seconds": auto.poll_s,
        }
