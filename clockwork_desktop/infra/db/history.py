"""The history adapter (core.ports.EntryHistory): why automatic timers started and stopped,
one row per event beside the entries."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from clockwork_desktop.infra.db.base import DbAdapter, at_utc, owned, ts


@owned
class SqliteHistory(DbAdapter):
    def add_history(self, entry_uuid: str, at: datetime, event: str, why: dict[str, Any]) -> None:
        self._exec(
            "INSERT INTO entry_history (entry_uuid, at_utc, event, why) VALUES (?, ?, ?, ?)",
            (entry_uuid, ts(at), event, json.dumps(why)),
        )

    def history_of(self, uuids: list[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(uuids), 500):
            chunk = uuids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT entry_uuid, at_utc, event, why FROM entry_history WHERE entry_uuid IN ({marks}) ORDER BY at_utc, rowid"  # noqa: S608, E501
            rows = self._exec(sql, chunk).fetchall()
            for uuid, seconds, event, why in rows:
                item = {
                    "event": event,
                    "at": at_utc(seconds).isoformat(),
                    **json.loads(why or "{}"),
                }
                found.setdefault(uuid, []).append(item)
        return found
