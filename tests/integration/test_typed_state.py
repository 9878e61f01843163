"""Sync bookkeeping and saved teams are typed rows, not JSON under a key in the settings table.

A file written by version 9 kept what each site does with our tags and where each account's
reconcile had read to as settings; version 10 moves them into their own tables, values kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from clockwork_desktop.core.ports import ReconcileCursor, SavedTeam, SiteTagging, Transition
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.infra.db import migrations
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.infra.jira.client import JiraClient

CHECKED_AT = datetime(2026, 3, 9, 9, 0, 0, 123000, tzinfo=UTC)
DC_UPDATED = datetime(2026, 3, 8, 10, 0, 0, 250000, tzinfo=timezone(timedelta(hours=1)))

# What a version 9 file held, as version 9 wrote it (JSON text under a key).
V9_SETTINGS: dict[str, Any] = {
    "tagging:cloud": "separate",
    "tag-moves-updated:cloud": True,
    "tag-moves-updated:quiet": False,
    "tagging:odd": "sideways",  # no such mode: not carried over, the sync starts inline
    "reconcile:cloud": {"deleted": 1_700_000_000_000, "updated": 1_700_000_005_000},
    "reconcile:dc": {
        "at": CHECKED_AT.isoformat(),
        "issues": {"DC-1": DC_UPDATED.isoformat(), "DC-2": "2026-03-07T08:00:00+00:00"},
    },
    "reconcile:half": {"updated": 42},
    # Not ours to move: the automatic timers keep these, and user settings stay.
    "auto:cursor:cloud": {"since": "2026-03-09T08:00:00+00:00"},
    "auto:resume": None,
    "first_run_done": True,
}


def _v9_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: dict[str, str]) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:9])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 9)
    monkeypatch.setattr("clockwork_desktop.infra.db.database.SCHEMA_VERSION", 9)
    old = open_database(tmp_path)
    monkeypatch.undo()
    with old.conn:
        old.conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", raw.items())
    old.conn.close()


@pytest.fixture
def migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqliteStore]:
    raw = {key: json.dumps(value) for key, value in V9_SETTINGS.items()}
    raw["reconcile:broken"] = "{not json"
    _v9_file(tmp_path, monkeypatch, raw)
    opened = open_database(tmp_path)
    assert opened.conn.execute("PRAGMA user_version").fetchone()[0] == 10
    store = SqliteStore(opened.conn, opened.path)
    yield store
    store.close()


def test_v10_moves_tagging_knowledge_out_of_the_settings(migrated: SqliteStore) -> None:
    assert migrated.site_tagging("cloud") == SiteTagging("separate", True)
    assert migrated.site_tagging("quiet") == SiteTagging(None, False)
    assert migrated.site_tagging("odd") == SiteTagging(None, None)
    assert migrated.site_tagging("never-seen") == SiteTagging(None, None)


def test_v10_moves_reconcile_cursors_out_of_the_settings(migrated: SqliteStore) -> None:
    assert migrated.reconcile_cursor("cloud") == ReconcileCursor(
        deleted_ms=1_700_000_000_000, updated_ms=1_700_000_005_000
    )
    dc = migrated.reconcile_cursor("dc")
    assert dc.checked_at == CHECKED_AT
    assert dc.issues == {
        "DC-1": DC_UPDATED,
        "DC-2": datetime(2026, 3, 7, 8, 0, tzinfo=UTC),
    }
    assert dc.issues["DC-1"].utcoffset() == timedelta(hours=1)  # the instant as Jira gave it
    assert migrated.reconcile_cursor("half") == ReconcileCursor(updated_ms=42)
    # Unreadable: the account reads its feeds from the first look-back again.
    assert migrated.reconcile_cursor("broken") == ReconcileCursor()


def test_v10_leaves_other_settings_where_they_were(migrated: SqliteStore) -> None:
    keys = {r[0] for r in migrated.connection.execute("SELECT key FROM settings")}
    assert not {k for k in keys if k.split(":")[0] in ("tagging", "tag-moves-updated")}
    assert not {k for k in keys if k.startswith("reconcile:")}
    assert migrated.get_setting("auto:cursor:cloud") == V9_SETTINGS["auto:cursor:cloud"]
    assert "auto:resume" in keys
    assert migrated.get_setting("first_run_done") is True


def test_tagging_knowledge_round_trips(store: SqliteStore) -> None:
    assert store.site_tagging("a") == SiteTagging()
    store.set_tag_moves_updated("a", False)
    assert store.site_tagging("a") == SiteTagging(None, False)
    store.set_tagging("a", "separate")
    store.set_tagging("b", "none")
    assert store.site_tagging("a") == SiteTagging("separate", False)
    store.set_tagging("a", "inline")
    store.set_tag_moves_updated("a", True)
    assert store.site_tagging("a") == SiteTagging("inline", True)
    assert store.site_tagging("b") == SiteTagging("none", None)


def test_a_damaged_tagging_row_reads_as_not_known(store: SqliteStore) -> None:
    store.set_tagging("a", "separate")
    store.connection.execute("UPDATE site_tagging SET mode = 'sideways', moves_updated = 7")
    assert store.site_tagging("a") == SiteTagging(None, None)


def test_reconcile_cursor_round_trips(store: SqliteStore) -> None:
    assert store.reconcile_cursor("a") == ReconcileCursor()
    cloud = ReconcileCursor(deleted_ms=5, updated_ms=7)
    store.save_reconcile_cursor("a", cloud)
    first = ReconcileCursor(checked_at=CHECKED_AT, issues={"DC-1": DC_UPDATED, "DC-2": CHECKED_AT})
    store.save_reconcile_cursor("b", first)
    assert store.reconcile_cursor("a") == cloud
    assert store.reconcile_cursor("b") == first
    # A later run keeps only the issues it still watches.
    later = ReconcileCursor(
        checked_at=CHECKED_AT + timedelta(minutes=5), issues={"DC-2": DC_UPDATED}
    )
    store.save_reconcile_cursor("b", later)
    assert store.reconcile_cursor("b") == later
    assert store.reconcile_cursor("a") == cloud


def test_saved_teams_come_back_as_records(store: SqliteStore) -> None:
    store.save_team("Core", "people", "", [("acc-1", "Alice", "alice"), ("acc-2", "Bob")], "a")
    store.save_team("Ops", "group", "jira-ops", [], "a")
    core, ops = store.teams()
    assert core == SavedTeam(
        "Core", "people", "", (("acc-1", "Alice", "alice"), ("acc-2", "Bob")), "a"
    )
    assert (ops.name, ops.kind, ops.ref, ops.members, ops.account) == (
        "Ops",
        "group",
        "jira-ops",
        (),
        "a",
    )


def test_transitions_are_records(jira: FakeJira) -> None:
    client = JiraClient(
        jira.base_url,
        auth_kind="basic",
        email="alice@example.com",
        token="alice-token",
        deployment="cloud",
        sleep=lambda _s: None,
    )
    try:
        found = client.transitions("PROJ-1")
    finally:
        client.close()
    assert found
    assert all(isinstance(t, Transition) for t in found)
    done = next(t for t in found if t.to_category == "done")
    assert done.to_status == "Done"
    assert done.id.endswith("1")
