"""Every user setting as one typed value, with its defaults and its checks in one place.

The store keeps each field under its own key (older files and the CLI's `config` use those keys);
`from_values` reads whatever is there and falls back to the default for a missing or damaged
value, so a hand-edited database never stops the app from starting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.rounding import RoundingPolicy

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SYNC_INTERVAL_RANGE_MIN = (1, 240)
IDLE_THRESHOLD_RANGE_MIN = (0, 240)  # 0: never ask
LONG_TIMER_RANGE_H = (0, 24)  # 0: never remind


@dataclass(frozen=True)
class Settings:
    sync_interval_min: int = 5
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    work_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    first_day_of_week: int = 0
    idle_threshold_min: int = 10
    long_timer_hours: int = 10
    remind_no_timer: bool = False
    autostart: bool = False
    rounding: RoundingPolicy = field(default_factory=RoundingPolicy)
    timezone: str = ""  # an IANA name; empty means the system's zone
    picker_shortcut: str = "Ctrl+Alt+Space"  # Qt's portable text; empty means none

    # -- checks ------------------------------------------------------------------------------

    def validate(self) -> dict[str, str]:
        """One message per field that cannot be saved, keyed by the field's name."""
        problems: dict[str, str] = {}

        def in_range(name: str, bounds: tuple[int, int], unit: str) -> None:
            value = getattr(self, name)
            low, high = bounds
            if not low <= value <= high:
                problems[name] = f"Choose between {low} and {high} {unit}."

        in_range("sync_interval_min", SYNC_INTERVAL_RANGE_MIN, "minutes")
        in_range("idle_threshold_min", IDLE_THRESHOLD_RANGE_MIN, "minutes")
        in_range("long_timer_hours", LONG_TIMER_RANGE_H, "hours")
        if self.work_end <= self.work_start:
            problems["work_end"] = (
                f"Working hours must end after they start: {self.work_start:%H:%M} to "
                f"{self.work_end:%H:%M} would expect no time at all. Hours that run past "
                "midnight are not supported."
            )
        if any(not 0 <= d <= 6 for d in self.work_days) or len(set(self.work_days)) != len(
            self.work_days
        ):
            problems["work_days"] = "Working days must be distinct days of the week."
        if not 0 <= self.first_day_of_week <= 6:
            problems["first_day_of_week"] = "Choose a day of the week."
        if self.timezone and zone_or_none(self.timezone) is None:
            problems["timezone"] = (
                f"{self.timezone!r} is not a known time zone: choose one from the list, "
                "for example Europe/Berlin, or the system default."
            )
        return problems

    def check(self) -> None:
        """Raise InputError naming every problem (for callers without a form to show them)."""
        problems = self.validate()
        if problems:
            raise InputError(" ".join(problems.values()))

    # -- the stored form -----------------------------------------------------------------------

    def to_values(self) -> dict[str, Any]:
        """JSON-ready values under the keys the store has always used."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, time):
                value = value.strftime("%H:%M")
            elif isinstance(value, RoundingPolicy):
                value = value.describe()
            elif isinstance(value, tuple):
                value = list(value)
            values[f.name] = value
        return values

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Settings:
        """Read stored values; a missing or unreadable one keeps its default."""
        defaults = cls()
        chosen: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in values or values[f.name] is None:
                continue
            try:
                chosen[f.name] = _coerce(getattr(defaults, f.name), values[f.name])
            except (TypeError, ValueError, InputError):
                continue
        return dataclasses.replace(defaults, **chosen)

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))


DEFAULT_SETTINGS = Settings()


def zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _coerce(default: Any, raw: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise TypeError(raw)
        return raw
    if isinstance(default, int):
        if isinstance(raw, bool):
            raise TypeError(raw)
        return int(raw)
    if isinstance(default, time):
        return time.fromisoformat(str(raw))
    if isinstance(default, tuple):
        return tuple(sorted({int(v) for v in raw}))
    if isinstance(default, RoundingPolicy):
        return RoundingPolicy.parse(str(raw))
    return str(raw)
