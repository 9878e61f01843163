"""The issues adapter (the issue half of core.ports.AccountStore): the picker's cache of
Jira issues per account, and the issues worked on most recently."""

from __future__ import annotations

from collections.abc import Sequence

from clockwork_desktop.core.models import JiraIssue
from clockwork_desktop.infra.db.base import DbAdapter, dt, owned, ts


@owned
class SqliteIssues(DbAdapter):
    def cache_issues(self, account: str, issues: list[JiraIssue], *, mine: bool) -> None:
        with self.atomic():
            if mine:
                self._exec("UPDATE issues SET assigned_to_me = 0 WHERE account = ?", (account,))
            for issue in issues:
                self._exec(
                    "INSERT INTO issues (account, key, summary, status, assigned_to_me, "
                    "updated_utc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(account, key) DO UPDATE "
                    "SET summary = excluded.summary, "
                    "status = CASE WHEN excluded.status != '' THEN excluded.status "
                    "ELSE issues.status END, "
                    "assigned_to_me = max(issues.assigned_to_me, excluded.assigned_to_me), "
                    "updated_utc = coalesce(excluded.updated_utc, issues.updated_utc)",
                    (
                        account,
                        issue.key,
                        issue.summary,
                        issue.status,
                        int(mine and not issue.done),
                        ts(issue.updated),
                    ),
                )

    def cached_issues(
        self, account: str | None, text: str = "", limit: int = 50, *, mine: bool = False
    ) -> list[JiraIssue]:
        where, params = ["1"], []
        if account is not None:
            where.append("account = ?")
            params.append(account)
        if mine:
            where.append("assigned_to_me = 1")
        if text:
            where.append("(key LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\')")
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params.extend([pattern, pattern])
        sql = (
            "SELECT key, summary, status, updated_utc FROM issues WHERE "  # noqa: S608
            + " AND ".join(where)
            + " ORDER BY updated_utc DESC, key LIMIT ?"
        )
        rows = self._exec(sql, [*params, limit]).fetchall()
        return [JiraIssue(r[0], r[1] or "", r[2] or "", False, dt(r[3])) for r in rows]

    def issue_summaries(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = self._exec(
            f"SELECT key, summary FROM issues WHERE key IN ({marks})",  # noqa: S608
            list(keys),
        ).fetchall()
        return {k: s for k, s in rows if s}

    def recent_issue_keys(self, limit: int = 10) -> list[str]:
        rows = self._exec(
            "SELECT issue_key FROM entries WHERE deleted = 0 AND sync_state != 'remote' "
            "GROUP BY issue_key ORDER BY max(start_utc) DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [r[0] for r in rows]
