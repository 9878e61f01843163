"""SqliteStore: every store adapter over one SQLite connection, for callers that want them all.

Each port has its own adapter (entries, settings, accounts, issues, sync bookkeeping, team
cache, history, health: one module each in this package); they share one ``base.Db``, so one
connection, one owner thread and one transaction serve them all. This class only composes them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from clockwork_desktop.infra.db.accounts import SqliteAccounts
from clockwork_desktop.infra.db.base import Db, wall_now
from clockwork_desktop.infra.db.bookkeeping import SqliteSyncBookkeeping
from clockwork_desktop.infra.db.health import SqliteHealth
from clockwork_desktop.infra.db.history import SqliteHistory
from clockwork_desktop.infra.db.issues import SqliteIssues
from clockwork_desktop.infra.db.settings import SqliteSettings
from clockwork_desktop.infra.db.team_cache import SqliteTeamCache

if TYPE_CHECKING:
    from clockwork_desktop.infra.db.owner import DbOwner


class SqliteStore(
    SqliteSyncBookkeeping,
    SqliteSettings,
    SqliteAccounts,
    SqliteIssues,
    SqliteTeamCache,
    SqliteHistory,
    SqliteHealth,
):
    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None = None,
        now: Callable[[], datetime] = wall_now,
        *,
        owner: DbOwner | None = None,
    ) -> None:
        super().__init__(Db(conn, path, now, owner))
