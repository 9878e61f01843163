"""Issue and people calls: the server, me, issue search and the picker, issue keys by id,
group members and user look-ups.
"""

from __future__ import annotations

from typing import Any

from clockwork_desktop.core.errors import JiraProtocolError, JiraRefusedError
from clockwork_desktop.core.jira_format import parse_jira_time
from clockwork_desktop.core.models import JiraIssue, JiraUser
from clockwork_desktop.infra.jira.session import (
    KEY_BATCH,
    JiraSession,
    Pages,
    items,
    reading,
    text_or_none,
)


def parse_user(data: Any) -> JiraUser:
    """Cloud users have an accountId; Data Center users a key (stable) and a name (the
    username, which JQL takes)."""
    with reading("a user"):
        name = data.get("name")
        return JiraUser(
            account_id=str(data.get("accountId") or data.get("key") or data["name"]),
            display_name=str(data.get("displayName") or ""),
            time_zone=text_or_none(data.get("timeZone")),
            email=text_or_none(data.get("emailAddress")),
            name=None if data.get("accountId") or not name else str(name),
        )


def parse_issue(data: Any) -> JiraIssue:
    with reading("an issue"):
        fields = data.get("fields") or {}
        status = fields.get("status") or {}
        category = (status.get("statusCategory") or {}).get("key", "")
        updated = fields.get("updated")
        return JiraIssue(
            key=str(data["key"]),
            summary=str(fields.get("summary") or ""),
            status=str(status.get("name") or ""),
            done=category == "done",
            updated=parse_jira_time(updated) if updated else None,
        )


class DirectoryCalls(JiraSession):
    def server_info(self) -> dict[str, Any]:
        data = self.request("GET", "/rest/api/2/serverInfo")
        if not isinstance(data, dict):
            raise JiraProtocolError("Jira's serverInfo is not an object: is this a Jira site?")
        return data

    def myself(self) -> JiraUser:
        return parse_user(self.request("GET", f"{self.api}/myself"))

    def search(self, jql: str, limit: int = 100) -> list[JiraIssue]:
        fields = ["summary", "status", "updated"]
        return [parse_issue(i) for i in self._search_pages(jql, fields, limit, 100)]

    def issue(self, key: str) -> JiraIssue:
        data = self.request(
            "GET", f"{self.api}/issue/{key}", params={"fields": "summary,status,updated"}
        )
        return parse_issue(data)

    def pick_issues(self, text: str, limit: int = 20) -> list[JiraIssue]:
        data = self.request(
            "GET",
            f"{self.api}/issue/picker",
            params={"query": text, "showSubTasks": "true", "showSubTaskParent": "true"},
        )
        found: dict[str, JiraIssue] = {}
        with reading("issue picker results"):
            for section in items(data.get("sections")):
                for item in items(section.get("issues")):
                    key = str(item.get("key", ""))
                    if key and key not in found:
                        found[key] = JiraIssue(key=key, summary=str(item.get("summaryText") or ""))
        return list(found.values())[:limit]

    # -- team timesheets ---------------------------------------------------------------------

    def issue_keys(self, issue_ids: list[str]) -> dict[str, str]:
        keys: dict[str, str] = {}
        for start in range(0, len(issue_ids), KEY_BATCH):
            batch = issue_ids[start : start + KEY_BATCH]
            jql = f"id in ({','.join(batch)})"
            for issue in self._search_pages(jql, ["key"], len(batch), len(batch)):
                with reading("an issue's key"):
                    keys[str(issue["id"])] = str(issue["key"])
        return keys

    def group_members(self, group: str) -> list[JiraUser]:
        """Every member, people who left included: their worklogs stay in past weeks."""
        members: list[JiraUser] = []
        pages = Pages(f"members of {group}")
        while True:
            data = self.request(
                "GET",
                f"{self.api}/group/member",
                params={
                    "groupname": group,
                    "includeInactiveUsers": "true",
                    "startAt": len(members),
                    "maxResults": 50,
                },
            )
            if not isinstance(data, dict):
                raise JiraProtocolError("Jira's group member list is not an object.")
            with reading("a page of group members"):
                values = [parse_user(u) for u in items(data.get("values"))]
                pages.add(u.account_id for u in values)
                members.extend(values)
                if not values:
                    return members
                is_last = data.get("isLast")
                if is_last is None:  # no flag: the total, else a short page, says it is the end
                    total = data.get("total")
                    is_last = len(members) >= int(total) if total is not None else len(values) < 50
            if is_last:
                return members

    def find_users(self, text: str) -> list[JiraUser]:
        # Data Center leaves people who left out unless asked (findUsers, includeInactive);
        # their past weeks are what a manager may want.
        params = (
            {"query": text}
            if self.deployment == "cloud"
            else {"username": text, "includeInactive": "true"}
        )
        data = self.request("GET", f"{self.api}/user/search", params=params)
        if not isinstance(data, list):
            raise JiraProtocolError("Jira's user search answer is not a list.")
        return [parse_user(u) for u in data]

    def user(self, ref: str) -> JiraUser | None:
        # `GET /user` finds deactivated people too, with `active: false`: Cloud by accountId
        # (Cloud OpenAPI, getUser), Data Center by username or else by key (Data Center REST
        # definition, getUser_1). Both answer 404 for no such user.
        if self.deployment == "cloud":
            tries = [{"accountId": ref}]
        else:
            tries = [{"username": ref}, {"key": ref}]
        for params in tries:
            try:
                data = self.request("GET", f"{self.api}/user", params=params)
            except JiraRefusedError as exc:
                if exc.status == 404:
                    continue
                raise
            if not isinstance(data, dict):
                raise JiraProtocolError("Jira's user is not an object.")
            return parse_user(data)
        return None

    # -- automatic timers (services.auto_timers) --------------------------------------------
