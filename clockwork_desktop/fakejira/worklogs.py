"""Worklogs: ``/issue/{key}/worklog`` (add, list, get, update, delete), their validation, and
the worklog property resource ``/issue/{key}/worklog/{id}/properties[/{prop}]``."""

from __future__ import annotations

import json
import re
from typing import Any
from zoneinfo import ZoneInfo

from clockwork_desktop.fakejira import state
from clockwork_desktop.fakejira.formats import (
    BAD_STARTED,
    _adf_text,
    _format_time,
    _parse_started,
    _parse_time_spent,
    _time_spent_text,
    _valid_adf,
)
from clockwork_desktop.fakejira.http import HttpError, _errors
from clockwork_desktop.fakejira.issues import IssueResources
from clockwork_desktop.fakejira.state import FakeIssue, FakeUser, FakeWorklog, _may_edit

PROPERTY_KEY_MAX = 255
PROPERTY_VALUE_MAX = 32_768


_PROP_KEYS = r"/issue/(?P<key>[^/]+)/worklog/(?P<wid>\d+)/properties"
_PROP = _PROP_KEYS + r"/(?P<prop>[^/]+)"


class WorklogResources(IssueResources):
    def _worklog_json(
        self, w: FakeWorklog, version: str, expand: str, viewer: FakeUser
    ) -> dict[str, Any]:
        jira = self.jira
        author = jira.users[w.author]
        updater = jira.users[w.update_author]
        zone = ZoneInfo(viewer.time_zone)
        comment = w.comment
        if version == "2" and isinstance(comment, dict):
            comment = _adf_text(comment)
        data: dict[str, Any] = {
            "self": f"{jira.base_url}/rest/api/{version}/issue/{w.issue_id}/worklog/{w.id}",
            "author": author.json(jira.base_url, jira.mode),
            "updateAuthor": updater.json(jira.base_url, jira.mode),
            "created": _format_time(w.created_ms, zone),
            "updated": _format_time(w.updated_ms, zone),
            "started": _format_time(w.started_ms, zone),
            "timeSpent": _time_spent_text(w.seconds),
            "timeSpentSeconds": w.seconds,
            "id": str(w.id),
            "issueId": str(w.issue_id),
        }
        if comment is not None:
            data["comment"] = comment
        # Data Center's worklog reads take no `expand` and its worklog has no `properties`
        # (see FakeJira.worklog_properties in state.py); a site that has them is modelled as
        # Cloud shows them.
        if "properties" in expand.split(",") and jira.worklog_properties:
            data["properties"] = [{"key": k, "value": v} for k, v in w.properties.items()]
        return data

    def _validate_worklog_body(self, body: Any, version: str, *, creating: bool) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise HttpError(400, _errors(["Worklog must not be null."]))
        out: dict[str, Any] = {}
        if "started" in body:
            started = body["started"]
            ms = _parse_started(started) if isinstance(started, str) else None
            if ms is None:
                if (
                    self.jira.mode == "dc"
                    and isinstance(started, str)
                    and not re.search(r"[+-]\d{4}$", started)
                ):
                    raise HttpError(500, "<html>Internal server error</html>")
                raise HttpError(400, _errors(started=BAD_STARTED))
            out["started_ms"], out["started"] = ms, started
        elif creating:
            ms = state._now_ms()
            out["started_ms"] = ms
        has_seconds, has_text = "timeSpentSeconds" in body, "timeSpent" in body
        if has_seconds and has_text:
            raise HttpError(
                400, _errors(timeSpent="Provide either timeSpent or timeSpentSeconds, not both.")
            )
        if creating and not (has_seconds or has_text):
            raise HttpError(
                400,
                _errors(
                    ["Worklog must not be null."],
                    timeLogged="You must indicate the time spent working.",
                ),
            )
        if has_seconds or has_text:
            seconds = (
                body["timeSpentSeconds"]
                if has_seconds
                else _parse_time_spent(str(body["timeSpent"]))
            )
            if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 60:
                raise HttpError(
                    400,
                    _errors(
                        ["Worklog must not be null."],
                        timeLogged="You must indicate the time spent working.",
                    ),
                )
            out["seconds"] = seconds
        # "Fields which are not set will not be updated" (updateWorklog, as documented for
        # Data Center in jira.js): a `null` comment leaves the old one. An empty ADF document
        # (v3) or "" (v2) clears it.
        if body.get("comment") is not None:
            comment = body["comment"]
            if version == "3":
                if not _valid_adf(comment):
                    raise HttpError(400, _errors(["INVALID_INPUT"]))
                out["comment"] = comment if comment.get("content") else None
            else:
                # v2 takes a string; an object is accepted and its text silently dropped.
                out["comment"] = (comment if isinstance(comment, str) else "") or None
        if "properties" in body and self.jira.inline_properties == "refuse":
            raise HttpError(
                400,
                _errors(
                    [
                        'Unrecognized field "properties" (Class com.atlassian.jira.issue.fields.'
                        "rest.json.beans.WorklogJsonBean), not marked as ignorable"
                    ]
                ),
            )
        if "properties" in body:
            props = body["properties"]
            if not isinstance(props, list):
                raise HttpError(400, _errors(properties="Properties must be a list."))
            parsed = {}
            for prop in props:
                key = prop.get("key") if isinstance(prop, dict) else None
                if not isinstance(key, str) or not 0 < len(key) <= PROPERTY_KEY_MAX:
                    raise HttpError(400, _errors(["The property key is not valid."]))
                if len(json.dumps(prop.get("value"))) > PROPERTY_VALUE_MAX:
                    raise HttpError(400, _errors(["The property value is too long."]))
                parsed[key] = prop.get("value")
            if self.jira.inline_properties == "accept":
                out["properties"] = parsed
        allowed = {
            "started",
            "timeSpentSeconds",
            "timeSpent",
            "comment",
            "properties",
            "visibility",
            "author",
            "updateAuthor",
            "created",
            "updated",
            "id",
            "self",
            "issueId",
        }
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise HttpError(400, _errors([f'Unrecognized field "{unknown[0]}"']))
        return out

    def _check_query(self, query: dict[str, str]) -> None:
        adjust = query.get("adjustEstimate", "auto")
        if adjust not in ("new", "leave", "manual", "auto"):
            raise HttpError(400, _errors(adjustEstimate="Invalid value for adjustEstimate."))
        if adjust == "new" and "newEstimate" not in query:
            raise HttpError(
                400,
                _errors(
                    ["Worklog must not be null."],
                    newEstimate="You must supply a valid new estimate.",
                ),
            )
        for flag in ("notifyUsers", "overrideEditableFlag"):
            if flag in query and query[flag] not in ("true", "false"):
                raise HttpError(400, _errors([f"{flag} must be true or false"]))
        if query.get("overrideEditableFlag") == "true":
            raise HttpError(403, _errors(["Only apps may override the editable flag."]))

    def _worklog_add(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        jira = self.jira
        issue = self._issue(key)
        self._check_query(ctx["query"])
        user: FakeUser = ctx["user"]
        if not issue.loggable or not user.can_work:
            raise HttpError(
                400,
                _errors(["You do not have the permission to associate a worklog to this issue."]),
            )
        fields = self._validate_worklog_body(ctx["body"], ctx["version"], creating=True)
        count = sum(1 for w in jira.worklogs.values() if w.issue_id == issue.id)
        if count >= jira.worklog_limit:
            raise HttpError(
                413, _errors([f"The per-issue limit has been breached for {issue.key} worklogs."])
            )
        jira._check_write_rate(issue)
        stamp = jira._tick()
        worklog = FakeWorklog(
            id=next(jira._ids),
            issue_id=issue.id,
            author=user.account_id,
            update_author=user.account_id,
            started=fields.get("started", ""),
            started_ms=fields["started_ms"],
            seconds=fields["seconds"],
            comment=fields.get("comment"),
            properties=fields.get("properties", {}),
            created_ms=stamp,
            updated_ms=stamp,
        )
        jira.worklogs[worklog.id] = worklog
        jira.touch(issue, stamp)
        expand = ctx["query"].get("expand", "")
        return 201, self._worklog_json(worklog, ctx["version"], expand, user), {}

    def _worklog_list_issue(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(key)
        query = ctx["query"]
        mine = sorted(
            (w for w in self.jira.worklogs.values() if w.issue_id == issue.id),
            key=lambda w: w.created_ms,
        )
        # Non-numeric startAt/maxResults answer 404 and maxResults defaults to 5000 on Cloud
        # [SPEC getIssueWorklog].
        try:
            start = int(query.get("startAt", 0))
            size = min(int(query.get("maxResults", self.jira.worklog_page)), 5000)
            after = int(query["startedAfter"]) if "startedAfter" in query else None
            before = int(query["startedBefore"]) if "startedBefore" in query else None
        except ValueError:
            raise HttpError(404, _errors(["Not found"])) from None
        # startedAfter/startedBefore are Cloud parameters; Data Center ignores them.
        if self.jira.mode == "cloud":
            if after is not None:
                mine = [w for w in mine if w.started_ms >= after]
            if before is not None:
                mine = [w for w in mine if w.started_ms < before]
        page = mine[start : start + size]
        expand = query.get("expand", "")
        return (
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(mine),
                "worklogs": [
                    self._worklog_json(w, ctx["version"], expand, ctx["user"]) for w in page
                ],
            },
            {},
        )

    # -- worklog properties -------------------------------------------------------------------
    # GET|PUT|DELETE /issue/{k}/worklog/{id}/properties/{key} and GET .../properties (keys),
    # where the site has them (worklog_properties: Cloud; not Data Center). Cloud spec "Issue
    # worklog properties"; keys up to 255 characters, values up to 32 KB (entity-properties
    # docs).

    def _property_keys(
        self, ctx: dict[str, Any], key: str, wid: str
    ) -> tuple[int, Any, dict[str, str]]:
        _, worklog = self._find(key, wid)
        base = f"{self.jira.base_url}/rest/api/{ctx['version']}/issue/{key}/worklog/{wid}"
        keys = [{"key": k, "self": f"{base}/properties/{k}"} for k in worklog.properties]
        return 200, {"keys": keys}, {}

    def _property_get(
        self, ctx: dict[str, Any], key: str, wid: str, prop: str
    ) -> tuple[int, Any, dict[str, str]]:
        _, worklog = self._find(key, wid)
        if prop not in worklog.properties:
            raise HttpError(404, _errors([f"The property with key '{prop}' does not exist."]))
        return 200, {"key": prop, "value": worklog.properties[prop]}, {}

    def _editable(self, ctx: dict[str, Any], key: str, wid: str) -> FakeWorklog:
        # Setting a worklog property needs "Edit own/all worklogs", else 403 [SPEC
        # setWorklogProperty]. The fake lets the author.
        _, worklog = self._find(key, wid)
        if not _may_edit(ctx["user"], worklog):
            raise HttpError(403, _errors(["You do not have permission to edit this worklog."]))
        return worklog

    def _property_put(
        self, ctx: dict[str, Any], key: str, wid: str, prop: str
    ) -> tuple[int, Any, dict[str, str]]:
        worklog = self._editable(ctx, key, wid)
        if not 0 < len(prop) <= PROPERTY_KEY_MAX:
            raise HttpError(400, _errors(["The property key is not valid."]))
        if ctx["body"] is None or len(json.dumps(ctx["body"])) > PROPERTY_VALUE_MAX:
            raise HttpError(400, _errors(["The property value is not valid."]))
        existed = prop in worklog.properties
        worklog.properties[prop] = ctx["body"]
        if self.jira.property_moves_updated:
            worklog.updated_ms = self.jira._tick()
        return (200 if existed else 201), None, {}

    def _property_delete(
        self, ctx: dict[str, Any], key: str, wid: str, prop: str
    ) -> tuple[int, Any, dict[str, str]]:
        worklog = self._editable(ctx, key, wid)
        if worklog.properties.pop(prop, None) is None:
            raise HttpError(404, _errors([f"The property with key '{prop}' does not exist."]))
        return 204, None, {}

    def _find(self, key: str, wid: str) -> tuple[FakeIssue, FakeWorklog]:
        issue = self._issue(key)
        worklog = self.jira.worklogs.get(int(wid)) if wid.isdigit() else None
        if worklog is None or worklog.issue_id != issue.id:
            raise HttpError(404, _errors(["Cannot find worklog with id: " + wid]))
        return issue, worklog

    def _worklog_get(
        self, ctx: dict[str, Any], key: str, wid: str
    ) -> tuple[int, Any, dict[str, str]]:
        _, worklog = self._find(key, wid)
        expand = ctx["query"].get("expand", "")
        return 200, self._worklog_json(worklog, ctx["version"], expand, ctx["user"]), {}

    def _worklog_put(
        self, ctx: dict[str, Any], key: str, wid: str
    ) -> tuple[int, Any, dict[str, str]]:
        jira = self.jira
        issue, worklog = self._find(key, wid)
        self._check_query(ctx["query"])
        user: FakeUser = ctx["user"]
        if not _may_edit(user, worklog):
            raise HttpError(400, _errors(["You do not have the permission to edit this worklog."]))
        fields = self._validate_worklog_body(ctx["body"], ctx["version"], creating=False)
        jira._check_write_rate(issue)
        if "started_ms" in fields:
            worklog.started_ms, worklog.started = fields["started_ms"], fields["started"]
        if "seconds" in fields:
            worklog.seconds = fields["seconds"]
        if "comment" in fields:
            worklog.comment = fields["comment"]
        if "properties" in fields:
            worklog.properties.update(fields["properties"])
        worklog.update_author = user.account_id
        worklog.updated_ms = jira._tick()
        jira.touch(issue, worklog.updated_ms)
        expand = ctx["query"].get("expand", "")
        return 200, self._worklog_json(worklog, ctx["version"], expand, user), {}

    def _worklog_delete(
        self, ctx: dict[str, Any], key: str, wid: str
    ) -> tuple[int, Any, dict[str, str]]:
        jira = self.jira
        issue, worklog = self._find(key, wid)
        self._check_query(ctx["query"])
        if not _may_edit(ctx["user"], worklog):
            raise HttpError(
                400, _errors(["You do not have the permission to delete this worklog."])
            )
        jira._check_write_rate(issue)
        del jira.worklogs[worklog.id]
        jira.deleted.append((worklog.id, jira._tick()))
        jira.touch(issue, jira.deleted[-1][1])
        return 204, None, {}
