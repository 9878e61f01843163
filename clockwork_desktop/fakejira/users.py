"""Users, groups and the caller: ``/myself``, ``/user``, ``/user/search``, ``/group/member``.

Cloud names users by ``accountId``, Data Center by username and key (``state.FakeUser``).
"""

from __future__ import annotations

from typing import Any

from clockwork_desktop.fakejira.http import HandlerBase, HttpError, _errors, _paging
from clockwork_desktop.fakejira.state import FakeUser


class UserResources(HandlerBase):
    def _myself(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return 200, ctx["user"].json(self.jira.base_url, self.jira.mode), {}

    def _user_search(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        query = ctx["query"]
        text = (query.get("query") or query.get("username") or "").lower()
        # Data Center finds inactive users only with includeInactive=true (Data Center REST
        # definition, findUsers, takes includeActive and includeInactive; Jira Server's REST
        # docs give them the defaults true and false). Cloud's user search is left as it was.
        inactive = self.jira.mode == "dc" and query.get("includeInactive", "").lower() == "true"

        def hit(u: FakeUser) -> bool:
            # DC's `username` parameter searches "username, name or e-mail address" (DC REST
            # docs, user/search); Cloud's `query` searches display name and email [SPEC].
            names = [u.display_name, u.email]
            if self.jira.mode == "dc":
                names.append(u.username)
            return any(text in n.lower() for n in names)

        found = [
            u.json(self.jira.base_url, self.jira.mode)
            for u in self.jira.users.values()
            if (u.active or inactive) and text and hit(u)
        ]
        _start, size = _paging(query, default=50, cap=1000)
        return 200, found[:size], {}

    def _user_get(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """One user, active or not, with `active` saying which.

        Data Center: `GET /rest/api/2/user?username=` or `?key=` (Data Center REST definition,
        getUser_1 "Get user by username or key"; 404 "if the requested user is not found").
        Cloud: `GET /rest/api/3/user?accountId=` (Cloud OpenAPI, getUser; `username` and `key`
        are "no longer available"; 404 "if the user is not found").
        """
        query = ctx["query"]
        users = self.jira.users.values()
        if self.jira.mode == "dc":
            wanted = query.get("username")
            found = [u for u in users if wanted is not None and u.username == wanted]
            if wanted is None and query.get("key"):
                found = [u for u in users if u.key == query["key"]]
        else:
            found = [u for u in users if u.account_id == query.get("accountId")]
        if not found:
            raise HttpError(404, _errors(["The user named does not exist."]))
        return 200, found[0].json(self.jira.base_url, self.jira.mode), {}

    def _group_member(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        query = ctx["query"]
        group = query.get("groupname") or query.get("groupId") or ""
        # Data Center answers 403 "if the calling user is not admin or sysadmin" (Data Center
        # REST definition, getUsersFromGroup; go-jira quotes the Server docs alike), with the
        # body Jira gives for a missing permission.
        if self.jira.mode == "dc" and not ctx["user"].admin:
            raise HttpError(
                403,
                _errors(["You are not authorized to perform this operation. Please log in."]),
            )
        members = [u for u in self.jira.users.values() if group in u.groups]
        if not members:  # the fake knows a group only through its members
            raise HttpError(404, _errors([f"Group {group!r} does not exist."]))
        # Inactive members (people who left) are listed only with includeInactiveUsers=true;
        # it defaults to false [SPEC /rest/api/3/group/member; DC group/member has the same].
        if query.get("includeInactiveUsers", "false").lower() != "true":
            members = [u for u in members if u.active]
        start, size = _paging(query, default=50, cap=50)
        page = members[start : start + size]
        return (
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(members),
                "isLast": start + size >= len(members),
                "values": [u.json(self.jira.base_url, self.jira.mode) for u in page],
            },
            {},
        )
