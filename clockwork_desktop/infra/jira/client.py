"""JiraClient: Jira Cloud (REST v3) and Data Center (REST v2) over httpx.

Every failure becomes one of our error classes with a message a person can act on. Tokens
never appear in logs, exceptions or reprs: httpx's auth objects hold them, and we never
format a request or its headers into a message.
"""

from __future__ import annotations

import json
import random
import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from clockwork_desktop import __version__
from clockwork_desktop.core.attention import ChangeEvent, FieldChange
from clockwork_desktop.core.errors import (
    InputError,
    JiraAuthError,
    JiraInlinePropertiesRefusedError,
    JiraOutcomeUnknownError,
    JiraProtocolError,
    JiraRateLimitedError,
    JiraRefusedError,
    JiraUnreachableError,
)
from clockwork_desktop.core.jira_format import (
    adf_from_text,
    error_message,
    format_started,
    parse_jira_time,
    text_from_adf,
    to_epoch_ms,
)
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import ISSUE_KEY_RE, JiraIssue, JiraUser, RemoteWorklog
from clockwork_desktop.core.ports import IssueNow, WorklogWrite
from clockwork_desktop.core.tokens import check_token
from clockwork_desktop.core.urls import normalise_site_url

log = get_logger(__name__)

USER_AGENT = f"ClockworkDesktop/{__version__} (+python-httpx)"
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0
MAX_RETRIES = 4
BASE_DELAY_S = 2.0
MAX_DELAY_S = 30.0
# Waiting longer than this inside one sync would freeze it; report and retry on schedule.
MAX_WAIT_S = 60.0
JITTER = (0.7, 1.3)
LIST_BATCH = 1000  # /worklog/list takes at most 1000 ids
KEY_BATCH = 500
WORKLOG_PAGE = 1000  # asked for; the server may answer fewer (Data Center: 20 by default)


_SSL_CONTEXTS: dict[str | None, ssl.SSLContext] = {}
_SSL_LOCK = threading.Lock()


def ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """One verifying TLS context per CA bundle, built once: loading the CA store is slow.

    Verification is always on; ``ca_bundle`` adds a company CA instead of the default store.
    """
    with _SSL_LOCK:
        context = _SSL_CONTEXTS.get(ca_bundle)
        if context is None:
            if ca_bundle:
                context = ssl.create_default_context(cafile=ca_bundle)
            else:
                context = httpx.create_ssl_context()
            _SSL_CONTEXTS[ca_bundle] = context
        return context


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(<hidden>)"


def _worklog(data: Any) -> RemoteWorklog:
    try:
        author = data.get("author") or {}
        props = {p["key"]: p.get("value") for p in data.get("properties") or []}
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
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise JiraProtocolError(f"Jira sent a worklog we cannot read ({exc}).") from exc


def _user(data: Any) -> JiraUser:
    """Cloud users have an accountId; Data Center users a key (stable) and a name (the
    username, which JQL takes)."""
    try:
        name = data.get("name")
        return JiraUser(
            account_id=str(data.get("accountId") or data.get("key") or data["name"]),
            display_name=str(data.get("displayName") or ""),
            time_zone=data.get("timeZone"),
            email=data.get("emailAddress"),
            name=None if data.get("accountId") or not name else str(name),
        )
    except (KeyError, AttributeError, TypeError) as exc:
        raise JiraProtocolError(f"Jira sent a user we cannot read ({exc}).") from exc


def _issue(data: Any) -> JiraIssue:
    try:
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
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise JiraProtocolError(f"Jira sent an issue we cannot read ({exc}).") from exc


class JiraClient:
    def __init__(
        self,
        url: str,
        *,
        auth_kind: str,
        email: str | None,
        token: str,
        deployment: str = "cloud",
        ca_bundle: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
        on_auth_failure: Callable[[], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = normalise_site_url(url)
        self.deployment = deployment
        self._sleep = sleep
        self._jitter = jitter
        self._on_auth_failure = on_auth_failure
        self._blocked = False
        token = check_token(token)  # a line break would reach the header (and httpx's error)
        auth: httpx.Auth
        if auth_kind == "basic":
            if not email:
                raise InputError("Jira Cloud needs the email address of your Atlassian account.")
            auth = httpx.BasicAuth(email, token)
        elif auth_kind == "bearer":
            auth = _BearerAuth(token)
        else:
            raise InputError(f"Unknown sign-in kind {auth_kind!r}.")
        self._http = httpx.Client(
            base_url=self.url,
            auth=auth,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "X-Atlassian-Token": "no-check",
            },
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            verify=ssl_context(ca_bundle),
            trust_env=True,  # proxies from HTTPS_PROXY / NO_PROXY
            follow_redirects=False,
            transport=transport,
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        )

    def __repr__(self) -> str:
        return f"JiraClient({self.url!r}, {self.deployment})"

    def close(self) -> None:
        self._http.close()

    @property
    def http(self) -> httpx.Client:
        """The underlying HTTP client (for diagnostics that watch responses)."""
        return self._http

    @property
    def api(self) -> str:
        return "/rest/api/3" if self.deployment == "cloud" else "/rest/api/2"

    # -- transport --------------------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                wait = max(0.0, float(retry_after))
            except ValueError:
                wait = BASE_DELAY_S
            # Never sooner than Jira asked; jitter only adds.
            return wait * self._jitter(1.0, JITTER[1])
        base = min(BASE_DELAY_S * 2.0**attempt, MAX_DELAY_S)
        return base * self._jitter(*JITTER)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Send one request with Jira's retry rules; return the decoded JSON (or None)."""
        if self._blocked:
            raise JiraAuthError(
                f"Jira at {self.url} refused the sign-in earlier; sign in again with a new token."
            )
        idempotent = method != "POST"
        attempt = 0
        while True:
            try:
                response = self._http.request(method, path, params=params, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as exc:
                raise JiraUnreachableError(
                    f"Cannot reach Jira at {self.url} ({type(exc).__name__}). Check the network "
                    "connection; your time is kept and will be sent later."
                ) from None
            except httpx.UnsupportedProtocol:
                raise JiraUnreachableError(f"Cannot talk to {self.url}.") from None
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if idempotent and attempt < MAX_RETRIES:
                    self._sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                if not idempotent:
                    raise JiraOutcomeUnknownError(
                        f"No answer from Jira to {method} {path} ({type(exc).__name__}); "
                        "it will be checked before trying again."
                    ) from None
                raise JiraUnreachableError(
                    f"Jira at {self.url} stopped answering ({type(exc).__name__})."
                ) from None
            status = response.status_code
            if status == 429 or (status == 503 and idempotent):
                retry_after = response.headers.get("Retry-After")
                wait = self._delay(attempt, retry_after)
                if attempt >= MAX_RETRIES or wait > MAX_WAIT_S * JITTER[1]:
                    raise JiraRateLimitedError(
                        f"Jira is busy ({status}, {response.headers.get('RateLimit-Reason', '')}"
                        f"); try again in {int(wait)} s.".replace(", )", ")"),
                        wait,
                    )
                log.info("Jira answered %d; waiting %.1f s before retrying", status, wait)
                self._sleep(wait)
                attempt += 1
                continue
            if status >= 500:
                if idempotent and attempt < MAX_RETRIES:
                    self._sleep(self._delay(attempt, response.headers.get("Retry-After")))
                    attempt += 1
                    continue
                if not idempotent:
                    raise JiraOutcomeUnknownError(
                        f"Jira answered {status} to {method} {path}; it will be checked before "
                        "trying again."
                    )
                raise JiraUnreachableError(f"Jira at {self.url} has a problem (HTTP {status}).")
            return self._decode(method, path, response)

    def _body(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return response.text

    def _decode(self, method: str, path: str, response: httpx.Response) -> Any:
        status = response.status_code
        if status == 401 or (
            status == 403 and response.headers.get("X-Authentication-Denied-Reason")
        ):
            self._blocked = True
            if self._on_auth_failure is not None:
                self._on_auth_failure()
            raise JiraAuthError(
                f"Jira at {self.url} refused the sign-in (HTTP {status}): the token may have "
                "expired or been revoked. Sign in again with a new token; nothing more will be "
                "sent until then."
            )
        if 300 <= status < 400:
            raise JiraRefusedError(
                status,
                f"Jira redirected {path} to {response.headers.get('Location', '?')}: check the "
                "site address.",
            )
        if status >= 400:
            raise JiraRefusedError(status, error_message(status, self._body(response)))
        if status == 204 or not response.content:
            return None
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError):
            message = f"Jira sent a reply to {method} {path} that is not JSON."
            if method == "POST":
                raise JiraOutcomeUnknownError(message) from None
            raise JiraProtocolError(message) from None

    # -- the API --------------------------------------------------------------------------

    def server_info(self) -> dict[str, Any]:
        data = self.request("GET", "/rest/api/2/serverInfo")
        if not isinstance(data, dict):
            raise JiraProtocolError("Jira's serverInfo is not an object: is this a Jira site?")
        return data

    def myself(self) -> JiraUser:
        return _user(self.request("GET", f"{self.api}/myself"))

    def payload(self, write: WorklogWrite, *, clear_comment: bool = False) -> dict[str, Any]:
        """The JSON body of a worklog create or update, in this deployment's format."""
        body: dict[str, Any] = {
            "started": format_started(write.started, ZoneInfo(write.zone)),
            "timeSpentSeconds": write.seconds,
        }
        text = write.comment.strip()
        if self.deployment == "cloud":
            doc = adf_from_text(text)
            if doc is not None:
                body["comment"] = doc
            elif clear_comment:
                # A `null` comment means "not set": Jira leaves the old one (reference notes
                # §10b.4). An empty document clears it.
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
                params={"adjustEstimate": "auto", "notifyUsers": "false", **self._expand()},
                body=self.payload(write),
            )
        except JiraRefusedError as exc:
            # Data Center's worklog bean has no `properties` and refuses unknown fields
            # (reference notes §10b.1). Nothing was saved; the caller tags separately.
            if write.properties and exc.status == 400 and "properties" in str(exc).lower():
                raise JiraInlinePropertiesRefusedError(exc.status, str(exc)) from None
            raise
        try:
            return _worklog(data)
        except JiraProtocolError as exc:
            # Saved or not, we cannot tell from this answer: check before trying again.
            raise JiraOutcomeUnknownError(str(exc)) from exc

    def update_worklog(self, issue_key: str, worklog_id: str, write: WorklogWrite) -> RemoteWorklog:
        data = self.request(
            "PUT",
            f"{self.api}/issue/{issue_key}/worklog/{worklog_id}",
            params={"adjustEstimate": "auto", "notifyUsers": "false", **self._expand()},
            body=self.payload(write, clear_comment=True),
        )
        return _worklog(data)

    def delete_worklog(self, issue_key: str, worklog_id: str) -> None:
        self.request(
            "DELETE",
            f"{self.api}/issue/{issue_key}/worklog/{worklog_id}",
            params={"adjustEstimate": "auto", "notifyUsers": "false"},
        )

    def _expand(self) -> dict[str, str]:
        # Data Center's worklog resources take no `expand` (reference notes §10b.1).
        return {"expand": "properties"} if self.deployment == "cloud" else {}

    def get_worklog(self, issue_key: str, worklog_id: str) -> RemoteWorklog:
        data = self.request(
            "GET", f"{self.api}/issue/{issue_key}/worklog/{worklog_id}", params=self._expand()
        )
        return _worklog(data)

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

    def _worklog_pages(
        self, issue_key: str, extra: dict[str, Any]
    ) -> tuple[list[RemoteWorklog], int]:
        """Every worklog of the issue that ``extra`` selects, and how many pages that took.

        Data Center answers 20 per page unless asked, and a server may cap lower than asked:
        page with startAt until `total` (reference notes §10b.2).
        """
        found: list[RemoteWorklog] = []
        start_at = pages = 0
        while True:
            params = {**extra, **self._expand(), "startAt": start_at, "maxResults": WORKLOG_PAGE}
            data = self.request("GET", f"{self.api}/issue/{issue_key}/worklog", params=params)
            pages += 1
            try:
                page = [_worklog(w) for w in data["worklogs"]]
                total = int(data.get("total", len(page)))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise JiraProtocolError(f"Jira's worklog list is incomplete ({exc}).") from exc
            found.extend(page)
            start_at += len(page)
            if not page or start_at >= total:
                return found, pages

    def worklogs_of(self, issue_key: str) -> list[RemoteWorklog]:
        return self._worklog_pages(issue_key, {})[0]

    def worklogs_started_between(
        self, issue_key: str, after: datetime, before: datetime
    ) -> list[RemoteWorklog]:
        extra: dict[str, Any] = {}
        if self.deployment == "cloud":
            # Cloud filters on the server; Data Center ignores these, so filter here too.
            extra = {"startedAfter": to_epoch_ms(after), "startedBefore": to_epoch_ms(before)}
        found, _pages = self._worklog_pages(issue_key, extra)
        return [w for w in found if after <= w.started < before]

    def _search_pages(self, jql: str, fields: list[str], limit: int, page_size: int) -> list[Any]:
        """Up to ``limit`` raw issues for ``jql``, read page by page to the end.

        Cloud's /search/jql may send fewer issues than asked on any page; only a missing
        nextPageToken ends the list (a repeated token or an empty page also stops, as guards
        against known quirks). Data Center pages with startAt until ``total``.
        """
        found: list[Any] = []
        token: str | None = None
        seen: set[str] = set()
        while len(found) < limit:
            size = min(page_size, limit - len(found))
            if self.deployment == "cloud":
                body: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": size}
                if token:
                    body["nextPageToken"] = token
                data = self.request("POST", f"{self.api}/search/jql", body=body)
            else:
                params = {
                    "jql": jql,
                    "fields": ",".join(fields),
                    "startAt": len(found),
                    "maxResults": size,
                }
                data = self.request("GET", f"{self.api}/search", params=params)
            if not isinstance(data, dict):
                raise JiraProtocolError("Jira's search answer is not an object.")
            page = data.get("issues") or []
            found.extend(page)
            if not page:
                break
            if self.deployment == "cloud":
                token = data.get("nextPageToken")
                if not token or token in seen:
                    break
                seen.add(token)
            elif len(found) >= int(data.get("total", 0)):
                break
        return found[:limit]

    def search(self, jql: str, limit: int = 100) -> list[JiraIssue]:
        fields = ["summary", "status", "updated"]
        return [_issue(i) for i in self._search_pages(jql, fields, limit, 100)]

    def issue(self, key: str) -> JiraIssue:
        data = self.request(
            "GET", f"{self.api}/issue/{key}", params={"fields": "summary,status,updated"}
        )
        return _issue(data)

    def pick_issues(self, text: str, limit: int = 20) -> list[JiraIssue]:
        data = self.request(
            "GET",
            f"{self.api}/issue/picker",
            params={"query": text, "showSubTasks": "true", "showSubTaskParent": "true"},
        )
        found: dict[str, JiraIssue] = {}
        for section in data.get("sections") or []:
            for item in section.get("issues") or []:
                key = str(item.get("key", ""))
                if key and key not in found:
                    found[key] = JiraIssue(key=key, summary=str(item.get("summaryText") or ""))
        return list(found.values())[:limit]

    # -- team timesheets ---------------------------------------------------------------------

    def worklog_feed(self, kind: str, since_ms: int) -> tuple[list[tuple[str, int]], int, bool]:
        """One page of /worklog/updated or /worklog/deleted: (id, ms) pairs, until, last page."""
        data = self.request("GET", f"{self.api}/worklog/{kind}", params={"since": since_ms})
        try:
            values = [(str(v["worklogId"]), int(v["updatedTime"])) for v in data["values"]]
            until, last = int(data.get("until", since_ms)), bool(data.get("lastPage", True))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise JiraProtocolError(f"Jira's worklog feed is incomplete ({exc}).") from exc
        if not last and until <= since_ms:
            # A full page whose values share one `updatedTime` leaves `until` at `since`: asking
            # again would return the same page forever (reference notes §10b.6).
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
            found.extend(_worklog(w) for w in data)
        return found

    def issue_keys(self, issue_ids: list[str]) -> dict[str, str]:
        keys: dict[str, str] = {}
        for start in range(0, len(issue_ids), KEY_BATCH):
            batch = issue_ids[start : start + KEY_BATCH]
            jql = f"id in ({','.join(batch)})"
            for issue in self._search_pages(jql, ["key"], len(batch), len(batch)):
                try:
                    keys[str(issue["id"])] = str(issue["key"])
                except (KeyError, TypeError) as exc:
                    raise JiraProtocolError(f"Jira sent an issue without a key ({exc}).") from exc
        return keys

    def group_members(self, group: str) -> list[JiraUser]:
        """Every member, people who left included: their worklogs stay in past weeks."""
        members: list[JiraUser] = []
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
            values = data.get("values") or []
            members.extend(_user(u) for u in values)
            if not values:
                return members
            is_last = data.get("isLast")
            if is_last is None:  # no flag: the total, else a short page, says it is the end
                total = data.get("total")
                is_last = len(members) >= int(total) if total is not None else len(values) < 50
            if is_last:
                return members

    def find_users(self, text: str) -> list[JiraUser]:
        params = {"query": text} if self.deployment == "cloud" else {"username": text}
        data = self.request("GET", f"{self.api}/user/search", params=params)
        if not isinstance(data, list):
            raise JiraProtocolError("Jira's user search answer is not a list.")
        return [_user(u) for u in data]

    # -- automatic timers (services.attention) --------------------------------------------

    def updated_since(self, since: datetime, zone: str | None, also: list[str]) -> list[IssueNow]:
        """One search for issues assigned to me, or listed, updated at or after ``since``.

        JQL reads a date in the searching user's profile zone, to the minute; without the zone,
        a relative ``-Nm`` (from this machine's clock) is used instead.
        """
        if zone:
            local = since.astimezone(ZoneInfo(zone))
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

    def changelog(self, issue_key: str) -> list[ChangeEvent]:
        """Cloud pages ``/issue/{key}/changelog``; Data Center has no such resource and gives
        the histories with ``expand=changelog`` on the issue (reference notes on changelogs)."""
        histories: list[Any] = []
        if self.deployment == "cloud":
            while True:
                data = self.request(
                    "GET",
                    f"{self.api}/issue/{issue_key}/changelog",
                    params={"startAt": len(histories), "maxResults": 100},
                )
                values = (data or {}).get("values") or []
                histories.extend(values)
                if not values or data.get("isLast", True):
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

    def transitions(self, issue_key: str) -> list[tuple[str, str, str, str | None]]:
        data = self.request("GET", f"{self.api}/issue/{issue_key}/transitions")
        found = []
        for t in (data or {}).get("transitions") or []:
            to = t.get("to") or {}
            category = (to.get("statusCategory") or {}).get("key")
            found.append((str(t["id"]), str(t.get("name", "")), str(to.get("name", "")), category))
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


class HttpJiraConnector:
    """Builds JiraClients: Cloud signs in with email + API token, Data Center with a PAT."""

    def __init__(
        self, ca_bundle: str | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._ca_bundle = ca_bundle
        self._sleep = sleep

    def connect(
        self,
        url: str,
        deployment: str,
        email: str | None,
        token: str,
        on_auth_failure: Callable[[], None] | None = None,
    ) -> JiraClient:
        return JiraClient(
            url,
            auth_kind="basic" if deployment == "cloud" else "bearer",
            email=email,
            token=token,
            deployment=deployment,
            ca_bundle=self._ca_bundle,
            sleep=self._sleep,
            on_auth_failure=on_auth_failure,
        )
