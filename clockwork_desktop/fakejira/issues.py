"""Issues: ``/issue/{key}`` (with ``expand=changelog``), ``/issue/{key}/changelog``,
``/issue/{key}/transitions``, ``/status`` and ``/issue/picker``.

``IssueResources._issue`` finds an issue by key, old key or id for every resource under it.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from clockwork_desktop.fakejira.formats import _format_time
from clockwork_desktop.fakejira.http import HandlerBase, HttpError, _errors, _paging
from clockwork_desktop.fakejira.state import FakeIssue

NOT_FOUND_ISSUE = "Issue does not exist or you do not have permission to see it."


class IssueResources(HandlerBase):
    def _issue(self, key: str) -> FakeIssue:
        jira = self.jira
        issue = jira.issues.get(jira.resolve_key(key))
        if issue is None and key.isdigit():
            issue = next((i for i in jira.issues.values() if i.id == int(key)), None)
        if issue is None:
            raise HttpError(404, _errors([NOT_FOUND_ISSUE]))
        return issue

    def _issue_json(self, issue: FakeIssue, fields: list[str] | None) -> dict[str, Any]:
        all_fields: dict[str, Any] = {
            "summary": issue.summary,
            "status": {
                "id": self.jira.statuses.get(issue.status, ("1", ""))[0],
                "name": issue.status,
                "statusCategory": {"key": issue.status_category},
            },
            "project": {"key": issue.project},
            "updated": _format_time(issue.updated_ms, ZoneInfo("UTC")),
            "resolution": ({"id": "10000", "name": issue.resolution} if issue.resolution else None),
            "assignee": (
                self.jira.users[issue.assignee].json(self.jira.base_url, self.jira.mode)
                if issue.assignee in self.jira.users
                else None
            ),
        }
        data: dict[str, Any] = {"id": str(issue.id), "key": issue.key}
        if fields is None:
            data["fields"] = all_fields
        else:
            chosen = {f: all_fields[f] for f in fields if f in all_fields}
            if chosen:
                data["fields"] = chosen
        return data

    def _issue_get(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(key)
        fields = ctx["query"].get("fields")
        data = self._issue_json(issue, fields.split(",") if fields else None)
        if "changelog" in ctx["query"].get("expand", "").split(","):
            # `expand=changelog` on an issue: the way Data Center gives histories (it has no
            # /changelog resource) [DC REST docs, "expand ... changelog"; jira.js server
            # getIssue]. Cloud caps this at 100 histories [SPEC getIssue: "changelog ...
            # returns the 100 most recent"]; here both give them all, oldest first.
            histories = [self._history_json(h) for h in issue.changelog]
            data["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        return 200, data, {}

    def _history_json(self, history: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in history.items() if k != "created_ms"}
        out["created"] = _format_time(history["created_ms"], ZoneInfo("UTC"))
        if out["author"] is None:
            out.pop("author")
        return out

    def _statuses(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """GET /status: every status with its category [SPEC getStatuses, StatusDetails]."""
        return (
            200,
            [
                {"id": sid, "name": name, "statusCategory": {"key": category}}
                for name, (sid, category) in self.jira.statuses.items()
            ],
            {},
        )

    def _changelog(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        """GET /issue/{key}/changelog: oldest first, paged by startAt/maxResults (default
        100), a PageBeanChangelog with isLast [SPEC getChangeLogs]. Cloud only: Data Center
        answers 404 (it has no such resource; histories come with expand=changelog)."""
        if self.jira.mode == "dc":
            raise HttpError(404, "<html>Not found</html>")
        issue = self._issue(key)
        start, size = _paging(ctx["query"], default=100, cap=100)
        page = issue.changelog[start : start + size]
        return (
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(issue.changelog),
                "isLast": start + len(page) >= len(issue.changelog),
                "values": [self._history_json(h) for h in page],
            },
            {},
        )

    def _transitions_get(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        """GET /issue/{key}/transitions: the transitions from the issue's status [SPEC
        getTransitions, IssueTransition: id, name, to (StatusDetails)]. The fake's workflow
        lets every status reach every other; transition ids are the target's id + "1"."""
        issue = self._issue(key)
        transitions = [
            {
                "id": f"{sid}1",
                "name": name,
                "to": {"id": sid, "name": name, "statusCategory": {"key": category}},
                "isAvailable": True,
                "hasScreen": False,
            }
            for name, (sid, category) in self.jira.statuses.items()
            if name != issue.status
        ]
        return 200, {"transitions": transitions}, {}

    def _transitions_post(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        """POST /issue/{key}/transitions {"transition": {"id"}}: 204 when done; an id that is
        not a transition from the current status is 400 [SPEC doTransition responses]."""
        issue = self._issue(key)
        body = ctx["body"] or {}
        wanted = str((body.get("transition") or {}).get("id", ""))
        target = next(
            (
                name
                for name, (sid, _) in self.jira.statuses.items()
                if f"{sid}1" == wanted and name != issue.status
            ),
            None,
        )
        if target is None:
            raise HttpError(
                400, _errors([f"Transition id '{wanted}' is not valid for this issue."])
            )
        self.jira.move(issue.key, target, by=ctx["user"].account_id)
        return 204, None, {}

    def _picker(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        text = ctx["query"].get("query", "").lower()
        found = [
            i
            for i in self.jira.issues.values()
            if text and (text in i.summary.lower() or text in i.key.lower())
        ][:20]
        section = {
            "id": "cs",
            "label": "Current Search",
            "issues": [
                {
                    "id": i.id,
                    "key": i.key,
                    "keyHtml": i.key,
                    "summary": i.summary,
                    "summaryText": i.summary,
                }
                for i in found
            ],
        }
        return 200, {"sections": [section]}, {}
