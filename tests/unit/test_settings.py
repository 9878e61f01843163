from __future__ import annotations

import dataclasses
from datetime import time
from pathlib import Path

import pytest

from clockwork_desktop.core.errors import ClockworkError, InputError
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.settings import DEFAULT_SETTINGS, Settings
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore


def test_defaults_are_valid_and_round_trip_through_stored_values() -> None:
    assert DEFAULT_SETTINGS.validate() == {}
    changed = dataclasses.replace(
        DEFAULT_SETTINGS,
        work_start=time(8, 30),
        work_days=(0, 2, 4),
        rounding=RoundingPolicy.parse("up:15"),
        timezone="America/New_York",
        remind_no_timer=True,
    )
    values = changed.to_values()
    assert values["work_start"] == "08:30"
    assert values["rounding"] == "up:15"
    assert Settings.from_values(values) == changed


def test_working_hours_that_end_before_they_start_are_refused_on_their_field() -> None:
    problems = dataclasses.replace(
        DEFAULT_SETTINGS, work_start=time(9), work_end=time(8)
    ).validate()
    assert set(problems) == {"work_end"}
    assert "09:00 to 08:00" in problems["work_end"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sync_interval_min", 0),
        ("idle_threshold_min", 241),
        ("long_timer_hours", 25),
        ("first_day_of_week", 7),
        ("work_days", (0, 0)),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "America"),  # a folder of zones: the zone database raises OSError
    ],
)
def test_each_bad_field_gets_its_own_message(field: str, value: object) -> None:
    problems = dataclasses.replace(DEFAULT_SETTINGS, **{field: value}).validate()
    assert list(problems) == [field]
    assert problems[field]


def test_damaged_stored_values_fall_back_to_their_defaults() -> None:
    loaded = Settings.from_values(
        {
            "work_start": "nonsense",
            "work_days": "x",
            "rounding": "sideways",
            "autostart": 1,
            "sync_interval_min": "15",
        }
    )
    assert loaded == dataclasses.replace(DEFAULT_SETTINGS, sync_interval_min=15)


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = open_database(tmp_path)
    yield SqliteStore(db.conn, db.path)
    db.conn.close()


def test_the_store_saves_and_loads_the_whole_value(store: SqliteStore) -> None:
    assert store.load_settings() == DEFAULT_SETTINGS
    chosen = dataclasses.replace(
        DEFAULT_SETTINGS, sync_interval_min=15, timezone="Asia/Tokyo", work_days=(5, 6)
    )
    store.save_settings(chosen)
    assert store.load_settings() == chosen
    assert store.get_setting("sync_interval_min") == 15  # the keys the CLI and older files use


def test_an_invalid_value_is_never_stored(store: SqliteStore) -> None:
    with pytest.raises(InputError, match="end after they start"):
        store.save_settings(dataclasses.replace(DEFAULT_SETTINGS, work_end=time(8)))
    assert store.load_settings() == DEFAULT_SETTINGS


def test_a_failing_save_changes_nothing(store: SqliteStore, monkeypatch) -> None:
    chosen = dataclasses.replace(DEFAULT_SETTINGS, sync_interval_min=30, idle_threshold_min=3)
    real = store.set_setting

    def failing(key: str, value: object) -> None:
        if key == "idle_threshold_min":
            raise ClockworkError("disk full")
        real(key, value)

    monkeypatch.setattr(store, "set_setting", failing)
    with pytest.raises(ClockworkError):
        store.save_settings(chosen)
    assert store.load_settings().sync_interval_min == 5  # the earlier write was rolled back


def test_per_weekday_hours_and_holidays_are_the_working_hours() -> None:
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from clockwork_desktop.core.settings import AutoSettings

    chosen = dataclasses.replace(
        DEFAULT_SETTINGS,
        day_hours=((4, time(9), time(13)),),
        holidays=(date(2026, 4, 6),),
        auto=AutoSettings(jira=(("cloud", True), ("dc", False)), branch="switch"),
    )
    assert chosen.validate() == {}
    values = chosen.to_values()
    assert values["day_hours"] == {"4": ["09:00", "13:00"]}
    assert values["auto:jira:cloud"] is True
    assert values["auto:jira:dc"] is False
    assert Settings.from_values(values) == chosen
    hours = chosen.working_hours()
    utc = ZoneInfo("UTC")
    assert hours.working(datetime(2026, 3, 13, 12, 30, tzinfo=UTC), utc)  # Friday
    assert not hours.working(datetime(2026, 3, 13, 14, 0, tzinfo=UTC), utc)  # Friday, after 13
    assert hours.working(datetime(2026, 3, 12, 14, 0, tzinfo=UTC), utc)  # Thursday
    assert not hours.working(datetime(2026, 4, 6, 10, 0, tzinfo=UTC), utc)  # the holiday
    assert chosen.hours_on(5) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"day_hours": ((4, time(13), time(9)),)}, "day_hours"),
        ({"day_hours": ((6, time(9), time(13)),)}, "day_hours"),  # Sunday is a day off
        ({"auto": "branch=always"}, "auto:branch"),
        ({"auto": "on_conflict=never"}, "auto:on_conflict"),
        ({"auto": "transition=sometimes"}, "auto:transition"),
        ({"auto": "poll_s=1"}, "auto:poll_s"),
    ],
)
def test_automatic_and_per_day_fields_get_their_own_message(changes: dict, field: str) -> None:  # type: ignore[type-arg]
    from clockwork_desktop.core.settings import AutoSettings

    if isinstance(changes.get("auto"), str):
        name, value = changes["auto"].split("=")
        auto = dataclasses.replace(
            AutoSettings(), **{name: int(value) if name == "poll_s" else value}
        )
        changes = {"auto": auto}
    problems = dataclasses.replace(DEFAULT_SETTINGS, **changes).validate()
    assert list(problems) == [field]
    assert problems[field]


def test_status_names_and_repositories_are_listed_once() -> None:
    from clockwork_desktop.core.settings import AutoSettings

    twice = AutoSettings(active_statuses=("In Progress", "in progress"), repos=("/a", "/a"))
    assert set(twice.validate()) == {"auto:active_statuses", "auto:repos"}


def test_damaged_automatic_values_fall_back_to_their_defaults() -> None:
    from clockwork_desktop.core.settings import AutoSettings

    loaded = Settings.from_values(
        {
            "auto:repos": "not a list",
            "auto:jira:cloud": "yes",
            "auto:branch": "switch",
            "day_hours": ["x"],
            "holidays": ["2026-13-01"],
        }
    )
    assert loaded.auto == AutoSettings(branch="switch")
    assert (loaded.day_hours, loaded.holidays) == ((), ())


def test_the_store_loads_each_accounts_automatic_timers(store: SqliteStore) -> None:
    from clockwork_desktop.core.settings import AutoSettings

    chosen = dataclasses.replace(
        DEFAULT_SETTINGS, auto=AutoSettings(jira=(("a", True), ("b", False)), repos=("/src",))
    )
    store.save_settings(chosen, {"auto:cursor:a": {"polled": "x"}})
    assert store.load_settings() == chosen
    assert store.get_setting("auto:cursor:a") == {"polled": "x"}  # in the same transaction
