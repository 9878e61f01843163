"""The accounts adapter (core.ports.AccountStore): the Jira sites signed in to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from clockwork_desktop.core.models import Account
from clockwork_desktop.infra.db.base import DbAdapter, owned


@owned
class SqliteAccounts(DbAdapter):
    _ACCOUNT_COLUMNS = (
        "name, url, deployment, auth_kind, email, account_id, display_name, time_zone, "
        "is_default, rounding, auth_blocked"
    )

    @staticmethod
    def _account(row: Sequence[Any]) -> Account:
        return Account(
            name=row[0],
            url=row[1],
            deployment=row[2],
            auth_kind=row[3],
            email=row[4],
            account_id=row[5] or "",
            display_name=row[6] or "",
            time_zone=row[7],
            is_default=bool(row[8]),
            rounding=row[9] or "none",
            auth_blocked=bool(row[10]),
        )

    def accounts(self) -> list[Account]:
        rows = self._exec(
            f"SELECT {self._ACCOUNT_COLUMNS} FROM accounts ORDER BY is_default DESC, name"  # noqa: S608
        ).fetchall()
        return [self._account(r) for r in rows]

    def account(self, name: str) -> Account | None:
        row = self._exec(
            f"SELECT {self._ACCOUNT_COLUMNS} FROM accounts WHERE name = ?",  # noqa: S608
            (name,),
        ).fetchone()
        return self._account(row) if row else None

    def save_account(self, account: Account) -> None:
        with self.atomic():
            if account.is_default:
                self._exec("UPDATE accounts SET is_default = 0 WHERE name != ?", (account.name,))
            self._exec(
                "INSERT INTO accounts (name, url, deployment, auth_kind, email, account_id, "
                "display_name, time_zone, is_default, rounding, auth_blocked, created_utc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "url = excluded.url, deployment = excluded.deployment, "
                "auth_kind = excluded.auth_kind, email = excluded.email, "
                "account_id = excluded.account_id, display_name = excluded.display_name, "
                "time_zone = excluded.time_zone, is_default = excluded.is_default, "
                "rounding = excluded.rounding, auth_blocked = excluded.auth_blocked",
                (
                    account.name,
                    account.url,
                    account.deployment,
                    account.auth_kind,
                    account.email,
                    account.account_id,
                    account.display_name,
                    account.time_zone,
                    int(account.is_default),
                    account.rounding,
                    int(account.auth_blocked),
                    int(datetime.now(UTC).timestamp()),
                ),
            )

    def set_auth_blocked(self, name: str, blocked: bool) -> None:
        self._exec("UPDATE accounts SET auth_blocked = ? WHERE name = ?", (int(blocked), name))

    def adopt_orphan_entries(self, account: str) -> int:
        cursor = self._exec(
            "UPDATE entries SET account = ? WHERE account IS NULL AND sync_state != 'remote'",
            (account,),
        )
        return cursor.rowcount
