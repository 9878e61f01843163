"""Every user setting as one typed value, with its defaults and its checks in one place.

The store keeps each field under its own key (older files and the CLI's `config` use those keys;
the automatic timers' settings are kept under ``auto:*`` keys, one per account for Jira);
`from_values` reads whatever is there and falls back to the default for a missing or damaged
value, so a hand-edited database never stops the app from starting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from clockwork_desktop.core.attention import WorkingHours
from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.models import zone_or_none
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.shortcut import shortcut_problem

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SYNC_INTERVAL_RANGE_MIN = (1, 240)
IDLE_THRESHOLD_RANGE_MIN = (0, 240)  # 0: never ask
LONG_TIMER_RANGE_H = (0, 24)  # 0: never remind
POLL_RANGE_S = (15, 3600)

CONFLICT_CHOICES = ("switch", "ask")  # a Jira status starts a timer while another one runs
TRANSITION_CHOICES = ("off", "offer", "perform")  # a timer started by hand moves its issue
BRANCH_CHOICES = ("off", "suggest", "switch")  # a branch naming an issue is checked out
JIRA_KEY_PREFIX = "auto:jira:"  # one key per account: timers from its statuses on or off
MAX_STATUS_NAME = 255


@dataclass(frozen=True)
class AutoSettings:
    """Automatic timers. Everything is off until chosen, except the branch suggestion, which
    only ever offers an issue."""

    jira: tuple[tuple[str, bool], ...] = ()  # (account name, timers from its statuses)
    active_statuses: tuple[str, ...] = ()  # status names; none: Jira's In Progress category
    on_conflict: str = "ask"
    transition: str = "off"
    branch: str = "suggest"
    repos: tuple[str, ...] = ()
    poll_s: int = 60

    def jira_on(self, account: str) -> bool:
        return dict(self.jira).get(account, False)

    def with_jira(self, account: str, on: bool) -> AutoSettings:
        chosen = dict(self.jira) | {account: on}
        return dataclasses.replace(self, jira=tuple(sorted(chosen.items())))

    def validate(self) -> dict[str, str]:
        """Messages keyed by the stored key of the field they are about."""
        problems: dict[str, str] = {}
        for key, value, allowed in (
            ("auto:on_conflict", self.on_conflict, CONFLICT_CHOICES),
            ("auto:transition", self.transition, TRANSITION_CHOICES),
            ("auto:branch", self.branch, BRANCH_CHOICES),
        ):
            if value not in allowed:
                problems[key] = f"Choose one of {', '.join(allowed)}, not {value!r}."
        names = [n.casefold() for n in self.active_statuses]
        if any(not n.strip() or len(n) > MAX_STATUS_NAME for n in self.active_statuses):
            problems["auto:active_statuses"] = "Each status needs a name of 1 to 255 characters."
        elif len(set(names)) != len(names):
            problems["auto:active_statuses"] = "Each status can be listed once."
        if any(not r.strip() for r in self.repos) or len(set(self.repos)) != len(self.repos):
            problems["auto:repos"] = "Each repository folder can be listed once."
        low, high = POLL_RANGE_S
        if not low <= self.poll_s <= high:
            problems["auto:poll_s"] = f"Choose between {low} and {high} seconds."
        return problems

    def to_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {f"{JIRA_KEY_PREFIX}{name}": on for name, on in self.jira}
        values |= {
            "auto:active_statuses": list(self.active_statuses),
            "auto:on_conflict": self.on_conflict,
            "auto:transition": self.transition,
            "auto:branch": self.branch,
            "auto:repos": list(self.repos),
            "auto:poll_s": self.poll_s,
        }
        return values

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> AutoSettings:
        defaults = cls()
        chosen: dict[str, Any] = {}
        jira = {
            k.removeprefix(JIRA_KEY_PREFIX): v
            for k, v in values.items()
            if k.startswith(JIRA_KEY_PREFIX) and isinstance(v, bool)
        }
        chosen["jira"] = tuple(sorted(jira.items()))
        for f in dataclasses.fields(cls):
            raw = values.get(f"auto:{f.name}")
            if f.name == "jira" or raw is None:
                continue
            try:
                if isinstance(getattr(defaults, f.name), tuple):
                    if not isinstance(raw, list):
                        raise TypeError(raw)
                    chosen[f.name] = tuple(str(v) for v in raw)
                else:
                    chosen[f.name] = _coerce(getattr(defaults, f.name), raw)
            except (TypeError, ValueError):
                continue
        return dataclasses.replace(defaults, **chosen)

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The fixed keys (the per-account ones start with ``JIRA_KEY_PREFIX``)."""
        return tuple(f"auto:{f.name}" for f in dataclasses.fields(cls) if f.name != "jira")


@dataclass(frozen=True)
class Settings:
    sync_interval_min: int = 5
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    work_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    # Working days whose hours differ from work_start..work_end: (weekday, start, end).
    day_hours: tuple[tuple[int, time, time], ...] = ()
    holidays: tuple[date, ...] = ()
    first_day_of_week: int = 0
    idle_threshold_min: int = 10
    long_timer_hours: int = 10
    remind_no_timer: bool = False
    autostart: bool = False
    rounding: RoundingPolicy = field(default_factory=RoundingPolicy)
    timezone: str = ""  # an IANA name; empty means the system's zone
    picker_shortcut: str = "Ctrl+Alt+Space"  # Qt's portable text; empty means none
    auto: AutoSettings = field(default_factory=AutoSettings)

    def hours_on(self, weekday: int) -> tuple[time, time] | None:
        """The working hours of a weekday (Monday 0), or None on a day off."""
        if weekday not in self.work_days:
            return None
        for day, start, end in self.day_hours:
            if day == weekday:
                return start, end
        return self.work_start, self.work_end

    def working_hours(self) -> WorkingHours:
        """The one answer to "is this working time?" (automatic timers, reminders, guards)."""
        days = {d: span for d in range(7) if (span := self.hours_on(d)) is not None}
        return WorkingHours(days, frozenset(self.holidays))

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
        for day, start, end in self.day_hours:
            if not 0 <= day <= 6 or day not in self.work_days:
                problems["day_hours"] = "Own hours can only be given to a working day."
                break
            if end <= start:
                problems["day_hours"] = (
                    f"{DAY_NAMES[day]}'s working hours must end after they start "
                    f"({start:%H:%M} to {end:%H:%M})."
                )
                break
        if len(set(self.holidays)) != len(self.holidays):
            problems["holidays"] = "Each holiday can be listed once."
        problems.update(self.auto.validate())
        if not 0 <= self.first_day_of_week <= 6:
            problems["first_day_of_week"] = "Choose a day of the week."
        if self.timezone and zone_or_none(self.timezone) is None:
            problems["timezone"] = (
                f"{self.timezone!r} is not a known time zone: choose one from the list, "
                "for example Europe/Berlin, or the system default."
            )
        shortcut = shortcut_problem(self.picker_shortcut)
        if shortcut is not None:
            problems["picker_shortcut"] = shortcut
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
            if isinstance(value, AutoSettings):
                values.update(value.to_values())
                continue
            if f.name == "day_hours":
                value = {str(d): [f"{s:%H:%M}", f"{e:%H:%M}"] for d, s, e in value}
            elif f.name == "holidays":
                value = [d.isoformat() for d in value]
            elif isinstance(value, time):
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
        readers: dict[str, Callable[[Any], Any]] = {"day_hours": _day_hours, "holidays": _holidays}
        for f in dataclasses.fields(cls):
            if f.name == "auto" or f.name not in values or values[f.name] is None:
                continue
            try:
                read = readers.get(f.name)
                raw = values[f.name]
                chosen[f.name] = read(raw) if read else _coerce(getattr(defaults, f.name), raw)
            except (TypeError, ValueError, InputError, AttributeError):
                continue
        chosen["auto"] = AutoSettings.from_values(values)
        return dataclasses.replace(defaults, **chosen)

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The stored keys (plus one per account starting with ``JIRA_KEY_PREFIX``)."""
        own = tuple(f.name for f in dataclasses.fields(cls) if f.name != "auto")
        return own + AutoSettings.keys()


DEFAULT_SETTINGS = Settings()


def _day_hours(raw: Mapping[str, Any]) -> tuple[tuple[int, time, time], ...]:
    return tuple(
        sorted(
            (int(day), time.fromisoformat(str(span[0])), time.fromisoformat(str(span[1])))
            for day, span in raw.items()
        )
    )


def _holidays(raw: list[Any]) -> tuple[date, ...]:
    if not isinstance(raw, list):
        raise TypeError(raw)
    return tuple(sorted({date.fromisoformat(str(d)) for d in raw}))


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
