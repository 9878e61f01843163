"""Worklog calls: create, update, delete and read one issue's worklogs (with their properties),
and the team feeds (/worklog/updated, /worklog/deleted, /worklog/list).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clockwork_desktop.core.errors import (
    JiraInlinePropertiesRefusedError,
    JiraOutcomeUnknownError,
    JiraProtocolError,
    JiraRefusedError,
)
from clockwork_desktop.core.jira_format import (
    adf_from_text,
    format_started,
    parse_jira_time,
    text_from_adf,
    to_epoch_ms,
)
from clockwork_desktop.core.jira_ports import WorklogWrite
from clockwork_desktop.core.models import FALLBACK_ZONE, RemoteWorklog, zone_or_none
from clockwork_desktop.infra.jira.session import (
    LIST_BATCH,
    WORKLOG_PAGE,
    JiraSession,
    Pages,
    items,
    reading,
)


def parse_worklog(data: Any) -> RemoteWorklog:
    with reading("a worklog"):
        author = data.get("author") or {}
        props = {str(p["key"]): p.get("value") for p in data.get("properties") or []}
        return RemoteWorklog(
            id=str(data["id"]),
            issue_id=str(data.get("issueId", "")),
            started=parse_jira_time(data["started"]),
            seconds=int(data["timeSpentSeconds"]),
            comment=text_from_adf(data.get("comment")),
            author_id=str(author.get("accountId") or author.get("key") or author.get("name") or ""),
            updated=parse_jira_time(data["updated"]) if data.get("updated") else None,
            properties=props,
            author_name=str(author.get("displayName") or ""),
        )


class WorklogCalls(JiraSession):
    def payload(self, write: WorklogWrite, *, clear_comment: bool = False) -> dict[str, Any]:
        """The JSON body of a worklog create or update, in this deployment's format."""
        body: dict[str, Any] = {
            # The instant is what counts; an unreadable zone name only changes the offset.
            "started": format_started(
                write.started, zone_or_none(write.zone) or ZoneInfo(FALLBACK_ZONE)
            ),
            "timeSpentSeconds": write.seconds,
        }
        text = write.comment.strip()
        if self.deployment == "cloud":
            doc = adf_from_text(text)
            if doc is not None:
                body["comment"] = doc
            elif clear_comment:
                # A `null` comment means "not set": Jira leaves the old one (updateWorklog;
                # docs/architecture.md §5.1). An empty document clears it.
                body["comment"] = {"type": "doc", "version": 1, "content": []}
        elif text or clear_comment:
            body["comment"] = text
        if write.properties:
            body["properties"] = [{"key": k, "value": v} for k, v in write.properties.items()]
        return body

    def add_worklog(self, issue_key: str, write: WorklogWrite) -> RemoteWorklog:
        try:
            data = self.request(
                "POST",
                f"{self.api}/issue/{issue_key}/worklog",
                params={"adjustEstimate": "auto", "notifyUsers": "false", **self.expand()},
                body=self.payload(write),
            )
        except JiraRefusedError as exc:
            # Data Center's worklog bean has no `properties` and refuses unknown fields
            # (gioboa/jira-plugin#118). Nothing was saved; the caller tags separately.
            if write.properties and exc.status == 400 and "properties" in str(exc).lower():
                raise JiraInlinePropertiesRefusedError(exc.status, str(exc)) from None
            raise
        try:
            return parse_worklog(data)
        except JiraProtocolError as exc:
            # Saved or not, we cannot tell from this answer: check before trying again.
            raise JiraOutcomeUnknownError(str(exc)) from exc

    def update_worklog(self, issue_key: str, worklog_id: str, write: WorklogWrite) -> RemoteWorklog:
        data = self.request(
            "PUT",
            f"{self.api}/issue/{issue_key}/worklog/{worklog_id}",
            params={"adjustEstimate": "auto", "notifyUsers": "false", **self.expand()},
            body=self.payload(write, clear_comment=True),
        )
        return parse_worklog(data)

    def delete_worklog(self, issue_key: str, worklog_id: str) -> None:
        self.request(
            "DELETE",
            f"{self.api}/issue/{issue_key}/worklog/{worklog_id}",
            params={"adjustEstimate": "auto", "notifyUsers": "false"},
        )

    def get_worklog(self, issue_key: str, worklog_id: str) -> RemoteWorklog:
        data = self.request(
            "GET", f"{self.api}/issue/{issue_key}/worklog/{worklog_id}", params=self.expand()
        )
        return parse_worklog(data)

    def set_worklog_property(self, issue_key: str, worklog_id: str, key: str, value: Any) -> None:
        self.request(
            "PUT", f"{self.api}/issue/{issue_key}/worklog/{worklog_id}/properties/{key}", body=value
        )

    def get_worklog_property(self, issue_key: str, worklog_id: str, key: str) -> Any | None:
        """The property's value, or None when the worklog has no such property."""
        try:
            data = self.request(
                "GET", f"{self.api}/issue/{issue_key}/worklog/{worklog_id}/properties/{key}"
            )
        except JiraRefusedError as exc:
            if exc.status == 404:
                return None
            raise
        return data.get("value") if isinstance(data, dict) else None

    def _worklog_pages(self, issue_key: str, extra: dict[str, Any]) -> list[RemoteWorklog]:
        """Every worklog of the issue that ``extra`` selects.

        Data Center answers 20 per page unless asked, and a server may cap lower than asked:
        page with startAt until `total` (sooperset/mcp-atlassian PR #1223; docs/architecture.md
        §5.1).
        """
        found: list[RemoteWorklog] = []
        start_at = 0
        pages = Pages(f"worklogs of {issue_key}")
        while True:
            params = {**extra, **self.expand(), "startAt": start_at, "maxResults": WORKLOG_PAGE}
            data = self.request("GET", f"{self.api}/issue/{issue_key}/worklog", params=params)
            with reading("a list of worklogs"):
                page = [parse_worklog(w) for w in items(data["worklogs"])]
                total = int(data.get("total") or len(page))
            pages.add(w.id for w in page)
            found.extend(page)
            start_at += len(page)
            if not page or start_at >= total:
                return found

    def worklogs_of(self, issue_key: str) -> list[RemoteWorklog]:
        return self._worklog_pages(issue_key, {})

    def worklogs_started_between(
        self, issue_key: str, after: datetime, before: datetime
    ) -> list[RemoteWorklog]:
        extra: dict[str, Any] = {}
        if self.deployment == "cloud":
            # Cloud filters on the server; Data Center ignores these, so filter here too.
            extra = {"startedAfter": to_epoch_ms(after), "startedBefore": to_epoch_ms(before)}
        return [w for w in self._worklog_pages(issue_key, extra) if after <= w.started < before]

    # -- team timesheets ---------------------------------------------------------------------

    def worklog_feed(self, kind: str, since_ms: int) -> tuple[list[tuple[str, int]], int, bool]:
        """One page of /worklog/updated or /worklog/deleted: (id, ms) pairs, until, last page."""
        data = self.request("GET", f"{self.api}/worklog/{kind}", params={"since": since_ms})
        with reading(f"a /worklog/{kind} page"):
            values = [(str(v["worklogId"]), int(v["updatedTime"])) for v in items(data["values"])]
            until, last = int(data.get("until", since_ms)), bool(data.get("lastPage", True))
        if not last and until <= since_ms:
            # A full page whose values share one `updatedTime` leaves `until` at `since`: asking
            # again would return the same page forever (docs/architecture.md §5.1).
            raise JiraProtocolError(
                f"Jira's /worklog/{kind} feed did not move past {since_ms}: more than one page "
                "of worklogs share one update time. Try again later."
            )
        return values, until, last

    def worklogs_by_ids(self, ids: list[str]) -> list[RemoteWorklog]:
        found: list[RemoteWorklog] = []
        for start in range(0, len(ids), LIST_BATCH):
            batch = [int(i) for i in ids[start : start + LIST_BATCH]]
            data = self.request("POST", f"{self.api}/worklog/list", body={"ids": batch})
            if not isinstance(data, list):
                raise JiraProtocolError("Jira's worklog list is not a list.")
            found.extend(parse_worklog(w) for w in data)
        return found
