"""The route table: which resource module answers which path.

``_Handler`` joins the plumbing (``http``) and the resource families (``issues``, ``search``,
``worklogs`` with worklog properties, ``feeds``, ``users``); ``FakeJira.start_on`` serves it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from clockwork_desktop.fakejira.feeds import FeedResources
from clockwork_desktop.fakejira.http import HttpError, _errors
from clockwork_desktop.fakejira.search import SearchResources
from clockwork_desktop.fakejira.users import UserResources
from clockwork_desktop.fakejira.worklogs import _PROP, _PROP_KEYS


class _Handler(FeedResources, SearchResources, UserResources):
    # -- routing ----------------------------------------------------------------------------

    def _route(
        self, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        jira = self.jira
        match = re.match(r"^/rest/api/(2|3|latest)(/.*)$", path)
        if not match:
            raise HttpError(404, _errors(["Not found"]))
        version = "2" if match[1] == "latest" else match[1]
        if version == "3" and jira.mode == "dc":
            raise HttpError(404, "<html>Not found</html>")
        rest = match[2].rstrip("/")
        if rest == "/serverInfo" and method == "GET":
            return 200, self._server_info(), {}
        user = self._user()
        self._check_xsrf(method)
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise HttpError(400, _errors(["Unexpected character in the JSON body"])) from None
        routes: list[tuple[str, str, Callable[..., tuple[int, Any, dict[str, str]]]]] = [
            ("GET", r"/myself", self._myself),
            ("GET", r"/issue/picker", self._picker),
            ("GET", r"/search/jql", self._search_jql),
            ("POST", r"/search/jql", self._search_jql),
            ("GET", r"/search", self._search_old),
            ("POST", r"/search", self._search_old),
            ("GET", r"/worklog/updated", self._feed_updated),
            ("GET", r"/worklog/deleted", self._feed_deleted),
            ("POST", r"/worklog/list", self._worklog_list),
            ("GET", r"/user/search", self._user_search),
            ("GET", r"/group/member", self._group_member),
            ("GET", r"/user", self._user_get),
            ("POST", r"/issue/(?P<key>[^/]+)/worklog", self._worklog_add),
            ("GET", r"/issue/(?P<key>[^/]+)/worklog", self._worklog_list_issue),
            ("GET", r"/issue/(?P<key>[^/]+)/worklog/(?P<wid>[^/]+)", self._worklog_get),
            ("PUT", r"/issue/(?P<key>[^/]+)/worklog/(?P<wid>[^/]+)", self._worklog_put),
            ("DELETE", r"/issue/(?P<key>[^/]+)/worklog/(?P<wid>[^/]+)", self._worklog_delete),
            ("GET", r"/status", self._statuses),
            ("GET", r"/issue/(?P<key>[^/]+)/changelog", self._changelog),
            ("GET", r"/issue/(?P<key>[^/]+)/transitions", self._transitions_get),
            ("POST", r"/issue/(?P<key>[^/]+)/transitions", self._transitions_post),
            ("GET", r"/issue/(?P<key>[^/]+)", self._issue_get),
        ]
        if jira.worklog_properties:  # else no such resource: 404 below, as for any unknown path
            routes += [
                ("GET", _PROP_KEYS, self._property_keys),
                ("GET", _PROP, self._property_get),
                ("PUT", _PROP, self._property_put),
                ("DELETE", _PROP, self._property_delete),
            ]
        for route_method, pattern, handler in routes:
            found = re.fullmatch(pattern, rest)
            if found and route_method == method:
                ctx = {"user": user, "version": version, "query": query, "body": body}
                with jira.lock:
                    return handler(ctx, **found.groupdict())
        raise HttpError(404, _errors([f"No route for {method} {path}"]))

    def _server_info(self) -> dict[str, Any]:
        cloud = self.jira.mode == "cloud"
        return {
            "baseUrl": self.jira.base_url,
            "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
            "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
            "deploymentType": "Cloud" if cloud else "Server",
            "serverTitle": "Fake Jira",
        }
