"""The settings adapter (core.ports.SettingsStore): user settings, one JSON value per key, and
the default account's rounding (kept with the account)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.infra.db.base import DbAdapter, owned

if TYPE_CHECKING:
    from clockwork_desktop.core.settings import Settings

log = get_logger(__name__)


@owned
class SqliteSettings(DbAdapter):
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self._exec("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except (ValueError, TypeError):  # a damaged value: its default, the row left as it is
            log.warning("setting %s is unreadable; its default is used", key)
            return default

    def set_setting(self, key: str, value: Any) -> None:
        self._exec(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    def load_settings(self) -> Settings:
        """All settings in one read; the default account's rounding wins over the shared one."""
        from clockwork_desktop.core.settings import JIRA_KEY_PREFIX, Settings

        keys = Settings.keys()
        marks = ", ".join("?" * len(keys))
        with self._db.lock:
            rows = self._exec(
                f"SELECT key, value FROM settings WHERE key IN ({marks}) "  # noqa: S608
                "OR substr(key, 1, ?) = ?",
                (*keys, len(JIRA_KEY_PREFIX), JIRA_KEY_PREFIX),
            ).fetchall()
            values: dict[str, Any] = {}
            for key, value in rows:
                try:
                    values[key] = json.loads(value)
                except ValueError:
                    log.warning("setting %s is unreadable; its default is used", key)
            account = self.default_account()
            if account is not None:
                values["rounding"] = self.rounding_policy(account).describe()
        return Settings.from_values(values)

    def save_settings(self, settings: Settings, also: Mapping[str, Any] | None = None) -> None:
        """Every setting in one transaction: a failure leaves all of them as they were.
        ``also`` holds other keys written in the same transaction (state tied to a setting)."""
        settings.check()
        with self.atomic():
            for key, value in (settings.to_values() | dict(also or {})).items():
                self.set_setting(key, value)
            account = self.default_account()
            if account is not None:
                self._exec(
                    "UPDATE accounts SET rounding = ? WHERE name = ?",
                    (settings.rounding.describe(), account),
                )

    def rounding_policy(self, account: str | None) -> RoundingPolicy:
        text = None
        if account is not None:
            row = self._exec("SELECT rounding FROM accounts WHERE name = ?", (account,)).fetchone()
            text = row[0] if row else None
        if text is None:
            text = self.get_setting("rounding", "none")
        return RoundingPolicy.parse(str(text))

    def account_names(self) -> list[str]:
        return [r[0] for r in self._exec("SELECT name FROM accounts ORDER BY name").fetchall()]

    def default_account(self) -> str | None:
        row = self._exec(
            "SELECT name FROM accounts ORDER BY is_default DESC, created_utc LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else None
