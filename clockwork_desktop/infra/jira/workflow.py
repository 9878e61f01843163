"""Issue-state calls for the automatic timers (services.auto_timers): recent updates, one issue's
status now, its changelog, status categories and transitions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from clockwork_desktop.core.attention import ChangeEvent, FieldChange
from clockwork_desktop.core.errors import JiraProtocolError, TimeBudgetSpentError
from clockwork_desktop.core.jira_format import parse_jira_time
from clockwork_desktop.core.jira_ports import IssueNow, Transition
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import ISSUE_KEY_RE, unknown_zone_note, zone_or_none
from clockwork_desktop.infra.jira.session import JiraSession, Pages, items, reading

log = get_logger(__name__)


class WorkflowCalls(JiraSession):
    def updated_since(self, since: datetime, zone: str | None, also: list[str]) -> list[IssueNow]:
        """One search for issues assigned to me, or listed, updated at or after ``since``.

        JQL reads a date in the searching user's profile zone, to the minute; without the zone,
        or with one this computer does not know, a relative ``-Nm`` (from this machine's
        clock) is used instead.
        """
        known = zone_or_none(zone)
        note = unknown_zone_note(zone, "the search counts minutes back from now instead")
        if note:
            log.info("automatic timers: %s", note)
        if known is not None:
            local = since.astimezone(known)
            when = f'"{local:%Y-%m-%d %H:%M}"'
        else:
            minutes = int((datetime.now(UTC) - since).total_seconds() // 60) + 1
            when = f"-{max(1, minutes)}m"
        who = "assignee = currentUser()"
        keys = [k for k in also if ISSUE_KEY_RE.match(k)]
        if keys:
            who = f"({who} OR key in ({', '.join(keys)}))"
        jql = f"{who} AND updated >= {when} ORDER BY updated ASC"
        fields = ["status", "assignee", "resolution", "updated"]
        return [_issue_now(i) for i in self._search_pages(jql, fields, 500, 100)]

    def issue_now(self, issue_key: str) -> IssueNow:
        data = self.request(
            "GET",
            f"{self.api}/issue/{issue_key}",
            params={"fields": "status,assignee,resolution,updated"},
        )
        return _issue_now(data)

    def changelog(
        self, issue_key: str, *, spent: Callable[[], bool] | None = None
    ) -> list[ChangeEvent]:
        """Cloud pages ``/issue/{key}/changelog``; Data Center has no such resource and gives
        the histories with ``expand=changelog`` on the issue (pycontribs/jira#911).
        ``spent()`` True before a further page stops the read (TimeBudgetSpentError)."""
        histories: list[Any] = []
        if self.deployment == "cloud":
            pages = Pages(f"changes of {issue_key}")
            while True:
                if histories and spent is not None and spent():
                    raise TimeBudgetSpentError(
                        f"Reading the changes of {issue_key} stopped after {pages.count} "
                        "pages: the time allowed for one poll was spent."
                    )
                data = self.request(
                    "GET",
                    f"{self.api}/issue/{issue_key}/changelog",
                    params={"startAt": len(histories), "maxResults": 100},
                )
                with reading("a changelog page"):
                    values = items(data.get("values") or [])
                    last = bool(data.get("isLast", True))
                pages.add(str(h.get("id")) if isinstance(h, dict) else "" for h in values)
                histories.extend(values)
                if not values or last:
                    break
        else:
            data = self.request(
                "GET",
                f"{self.api}/issue/{issue_key}",
                params={"fields": "status", "expand": "changelog"},
            )
            histories = ((data or {}).get("changelog") or {}).get("histories") or []
        events = [_change_event(issue_key, h) for h in histories]
        return sorted(events, key=lambda e: (e.at, e.id))

    def status_categories(self) -> dict[str, str]:
        data = self.request("GET", f"{self.api}/status")
        if not isinstance(data, list):
            raise JiraProtocolError("Jira's status list is not a list.")
        return {
            str(s["id"]): str((s.get("statusCategory") or {}).get("key", ""))
            for s in data
            if isinstance(s, dict) and "id" in s
        }

    def transitions(self, issue_key: str) -> list[Transition]:
        data = self.request("GET", f"{self.api}/issue/{issue_key}/transitions")
        found = []
        for t in (data or {}).get("transitions") or []:
            to = t.get("to") or {}
            category = (to.get("statusCategory") or {}).get("key")
            found.append(
                Transition(str(t["id"]), str(t.get("name", "")), str(to.get("name", "")), category)
            )
        return found

    def do_transition(self, issue_key: str, transition_id: str) -> None:
        self.request(
            "POST",
            f"{self.api}/issue/{issue_key}/transitions",
            body={"transition": {"id": transition_id}},
        )


def _issue_now(data: Any) -> IssueNow:
    try:
        fields = data.get("fields") or {}
        status = fields.get("status") or {}
        assignee = fields.get("assignee") or {}
        return IssueNow(
            key=str(data["key"]),
            updated=parse_jira_time(fields["updated"]),
            status=str(status.get("name") or ""),
            status_id=str(status["id"]) if status.get("id") is not None else None,
            category=(status.get("statusCategory") or {}).get("key"),
            assignee=assignee.get("accountId") or assignee.get("key") or assignee.get("name"),
            resolved=bool(fields.get("resolution")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise JiraProtocolError(f"Jira sent an issue we cannot read ({exc}).") from exc


def _change_event(issue_key: str, history: Any) -> ChangeEvent:
    try:
        changes = []
        for item in history.get("items") or []:
            name = str(item.get("fieldId") or item.get("field") or "").lower()
            if name in ("status", "assignee", "resolution"):
                changes.append(
                    FieldChange(
                        name,
                        item.get("from"),
                        item.get("to"),
                        item.get("fromString"),
                        item.get("toString"),
                    )
                )
        author = history.get("author") or {}
        return ChangeEvent(
            issue_key,
            parse_jira_time(history["created"]),
            str(author.get("displayName") or ""),
            tuple(changes),
            str(history.get("id", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise JiraProtocolError(f"Jira sent a change history we cannot read ({exc}).") from exc
