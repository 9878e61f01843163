"""The worklog feeds: ``/worklog/updated``, ``/worklog/deleted`` and ``/worklog/list``."""

from __future__ import annotations

from typing import Any

from clockwork_desktop.fakejira import state
from clockwork_desktop.fakejira.http import HttpError, _errors
from clockwork_desktop.fakejira.state import FakeWorklog
from clockwork_desktop.fakejira.worklogs import WorklogResources


class FeedResources(WorklogResources):
    def _since(self, query: dict[str, str]) -> int:
        try:
            return int(query.get("since", 0))
        except ValueError:
            raise HttpError(400, _errors(["since must be a number of milliseconds"])) from None

    def _feed(
        self, items: list[tuple[int, int, dict[str, Any]]], since: int, path: str
    ) -> dict[str, Any]:
        # The feed leaves out changes younger than the quiet period. Stamps come from _tick(),
        # which can run a few ms ahead of the wall clock under load: with no quiet period,
        # everything stamped so far is shown.
        cutoff = state._now_ms() - int(self.jira.feed_quiet_s * 1000)
        if not self.jira.feed_quiet_s:
            cutoff = max(cutoff, self.jira._last_ms)
        size = self.jira.feed_page_size
        chosen = sorted((t, i, extra) for t, i, extra in items if since <= t <= cutoff)
        last_page = len(chosen) <= size
        chosen = chosen[:size]
        until = chosen[-1][0] if chosen else since
        base = f"{self.jira.base_url}{path}"
        data: dict[str, Any] = {
            "values": [{"worklogId": i, "updatedTime": t, **extra} for t, i, extra in chosen],
            "since": since,
            "until": until,
            "self": f"{base}?since={since}",
            "lastPage": last_page,
        }
        if not last_page:
            data["nextPage"] = f"{base}?since={until}"
        return data

    def _feed_properties(self, worklog: FakeWorklog | None, expand: bool) -> dict[str, Any]:
        # Data Center's change bean is updatedTime and worklogId alone (see
        # FakeJira.worklog_properties in state.py).
        if not self.jira.worklog_properties:
            return {}
        if worklog is None or not expand:
            return {"properties": []}
        return {"properties": [{"key": k, "value": v} for k, v in worklog.properties.items()]}

    def _feed_updated(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        expand = "properties" in ctx["query"].get("expand", "")
        items: list[tuple[int, int, dict[str, Any]]] = [
            (w.updated_ms, w.id, self._feed_properties(w, expand))
            for w in self.jira.worklogs.values()
        ]
        return 200, self._feed(items, self._since(ctx["query"]), "/worklog/updated"), {}

    def _feed_deleted(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        items: list[tuple[int, int, dict[str, Any]]] = [
            (t, i, self._feed_properties(None, False)) for i, t in self.jira.deleted
        ]
        return 200, self._feed(items, self._since(ctx["query"]), "/worklog/deleted"), {}

    def _worklog_list(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        body = ctx["body"]
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids or len(ids) > 1000:
            raise HttpError(400, _errors(["The number of worklog ids must be between 1 and 1000."]))
        expand = ctx["query"].get("expand", "")
        found = [
            self.jira.worklogs[int(i)]
            for i in ids
            if int(i) in self.jira.worklogs and int(i) not in self.jira.hidden_worklogs
        ]
        return (
            200,
            [self._worklog_json(w, ctx["version"], expand, ctx["user"]) for w in found],
            {},
        )
