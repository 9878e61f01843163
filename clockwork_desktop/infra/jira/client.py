"""JiraClient: Jira Cloud (REST v3) and Data Center (REST v2) over httpx.

Every failure becomes one of our error classes with a message a person can act on. Tokens
never appear in logs, exceptions or reprs: httpx's auth objects hold them, and we never
format a request or its headers into a message.
"""

from __future__ import annotations

import json
import math
import random
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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
    TimeBudgetSpentError,
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
from clockwork_desktop.core.models import (
    FALLBACK_ZONE,
    ISSUE_KEY_RE,
    JiraIssue,
    JiraUser,
    RemoteWorklog,
    unknown_zone_note,
    zone_or_none,
)
from clockwork_desktop.core.ports import IssueNow, Transition, WorklogWrite
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
# A Retry-After beyond a day is nonsense (or `inf`): report it as a day.
MAX_RETRY_AFTER_S = 86400.0
# One request, its retries and waits included, never takes longer than this: a server that
# drips its answer a byte at a time never trips the read timeout, and the sync lock is held.
REQUEST_DEADLINE_S = 120.0
# Jira's largest honest answers (a page of 1000 worklogs with long comments) are a few MB;
# a bigger body is read no further, so a hostile server cannot fill our memory.
MAX_BODY_BYTES = 16 * 1024 * 1024
JITTER = (0.7, 1.3)
LIST_BATCH = 1000  # /worklog/list takes at most 1000 ids
KEY_BATCH = 500
WORKLOG_PAGE = 1000  # asked for; the server may answer fewer (Data Center: 20 by default)
# More pages than any real list has (20 000 worklogs on one issue at Data Center's 20 a page).
MAX_PAGES = 1000


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


class _Overdue(Exception):
    """The request's deadline passed while its answer was still arriving."""


class _TooLarge(Exception):
    """The answer grew past the size limit."""


class _Pages:
    """Notices a list that never ends: a page holding nothing we have not seen, or more pages
    than any real list has. Without this a server could keep a sync paging forever."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.count = 0
        self._seen: set[str] = set()

    def add(self, ids: Iterable[str]) -> None:
        self.count += 1
        fresh = set(ids)
        if fresh and fresh <= self._seen:
            raise JiraProtocolError(f"Jira sent the same page of {self.what} again.")
        if self.count >= MAX_PAGES:
            raise JiraProtocolError(
                f"Jira's list of {self.what} did not end after {MAX_PAGES} pages."
            )
        self._seen |= fresh


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(<hidden>)"


# What reading a JSON value of the wrong shape raises: a missing key, a list where an object
# belongs, text where a number belongs, a date past year 9999, nesting deeper than the stack.
_MALFORMED = (
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    OverflowError,
    RecursionError,
)


@contextmanager
def _reading(what: str) -> Iterator[None]:
    """Turns a wrong JSON shape met while reading ``what`` into a JiraProtocolError."""
    try:
        yield
    except _MALFORMED as exc:
        detail = str(exc)[:200]  # the server chose this text: keep it short
        raise JiraProtocolError(
            f"Jira sent {what} we cannot read ({type(exc).__name__}: {detail})."
        ) from exc


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _items(value: Any) -> list[Any]:
    """A JSON array, or a TypeError (a string or an object would iterate as something else)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"expected a list, not {type(value).__name__}")
    return value


def _worklog(data: Any) -> RemoteWorklog:
    with _reading("a worklog"):
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


def _user(data: Any) -> JiraUser:
    """Cloud users have an accountId; Data Center users a key (stable) and a name (the
    username, which JQL takes)."""
    with _reading("a user"):
        name = data.get("name")
        return JiraUser(
            account_id=str(data.get("accountId") or data.get("key") or data["name"]),
            display_name=str(data.get("displayName") or ""),
            time_zone=_text(data.get("timeZone")),
            email=_text(data.get("emailAddress")),
            name=None if data.get("accountId") or not name else str(name),
        )


def _issue(data: Any) -> JiraIssue:
    with _reading("an issue"):
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
        deadline_s: float = REQUEST_DEADLINE_S,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.url = normalise_site_url(url)
        self.deployment = deployment
        self._sleep = sleep
        self._deadline_s = deadline_s
        self._max_body_bytes = max_body_bytes
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
        """Seconds to wait before the next attempt: always finite, never negative."""
        if retry_after:
            try:
                wait = float(retry_after)
            except ValueError:  # an HTTP date, or garbage
                wait = BASE_DELAY_S
            if math.isnan(wait) or wait < 0:
                wait = BASE_DELAY_S
            # Never sooner than Jira asked; jitter only adds. `inf` and 1e400 become the cap.
            return min(wait, MAX_RETRY_AFTER_S) * self._jitter(1.0, JITTER[1])
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
        """Send one request with Jira's retry rules; return the decoded JSON (or None).

        The whole call, retries and waits included, ends by the deadline; each wait is capped.
        """
        if self._blocked:
            raise JiraAuthError(
                f"Jira at {self.url} refused the sign-in earlier; sign in again with a new token."
            )
        idempotent = method != "POST"
        deadline = time.monotonic() + self._deadline_s
        attempt = 0

        def may_wait(wait: float) -> bool:
            return (
                attempt < MAX_RETRIES
                and wait <= MAX_WAIT_S * JITTER[1]
                and time.monotonic() + wait < deadline
            )

        while True:
            try:
                status, headers, content = self._exchange(method, path, params, body, deadline)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as exc:
                raise JiraUnreachableError(
                    f"Cannot reach Jira at {self.url} ({type(exc).__name__}). Check the network "
                    "connection; your time is kept and will be sent later."
                ) from None
            except httpx.UnsupportedProtocol:
                raise JiraUnreachableError(f"Cannot talk to {self.url}.") from None
            except (
                httpx.TimeoutException,
                httpx.NetworkError,
                httpx.RemoteProtocolError,
                httpx.DecodingError,
                _Overdue,
            ) as exc:
                overdue = isinstance(exc, _Overdue) or time.monotonic() >= deadline
                wait = self._delay(attempt, None)
                if idempotent and not overdue and may_wait(wait):
                    self._sleep(wait)
                    attempt += 1
                    continue
                why = (
                    f"did not finish answering within {self._deadline_s:g} s"
                    if overdue
                    else f"stopped answering ({type(exc).__name__})"
                )
                if not idempotent:
                    raise JiraOutcomeUnknownError(
                        f"Jira {why} to {method} {path}; it will be checked before trying again."
                    ) from None
                raise JiraUnreachableError(f"Jira at {self.url} {why}.") from None
            except _TooLarge:
                message = (
                    f"Jira's reply to {method} {path} is larger than "
                    f"{self._max_body_bytes // 1024} KiB; it was not read."
                )
                if method == "POST":
                    raise JiraOutcomeUnknownError(message) from None
                raise JiraProtocolError(message) from None
            if status == 429 or (status >= 500 and idempotent):
                wait = self._delay(attempt, headers.get("Retry-After"))
                if may_wait(wait):
                    log.info("Jira answered %d; waiting %.1f s before retrying", status, wait)
                    self._sleep(wait)
                    attempt += 1
                    continue
                if status in (429, 503):
                    reason = headers.get("RateLimit-Reason", "")
                    why = f"{status}, {reason}" if reason else str(status)
                    raise JiraRateLimitedError(
                        f"Jira is busy ({why}); try again in {int(wait)} s.", wait
                    )
                raise JiraUnreachableError(f"Jira at {self.url} has a problem (HTTP {status}).")
            if status >= 500:
                raise JiraOutcomeUnknownError(
                    f"Jira answered {status} to {method} {path}; it will be checked before "
                    "trying again."
                )
            return self._decode(method, path, status, headers, content)

    def _exchange(
        self, method: str, path: str, params: Any, body: Any, deadline: float
    ) -> tuple[int, httpx.Headers, bytes]:
        """One attempt: the status, headers and (decoded) body, read no further than the size
        limit and no later than the deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Overdue
        timeout = httpx.Timeout(
            min(READ_TIMEOUT_S, remaining), connect=min(CONNECT_TIMEOUT_S, remaining)
        )
        request = self._http.build_request(method, path, params=params, json=body, timeout=timeout)
        response = self._http.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():  # decompressed: a gzip bomb counts in full
                size += len(chunk)
                if size > self._max_body_bytes:
                    if response.status_code >= 400:
                        break  # the start of an error page says enough
                    raise _TooLarge
                if time.monotonic() > deadline:
                    raise _Overdue
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)
        finally:
            response.close()

    @staticmethod
    def _body(content: bytes) -> Any:
        try:
            return json.loads(content)
        except (ValueError, RecursionError):
            return content.decode("utf-8", errors="replace")

    def _decode(
        self, method: str, path: str, status: int, headers: httpx.Headers, content: bytes
    ) -> Any:
        denied = headers.get("X-Authentication-Denied-Reason", "")
        # Old Data Center servers refuse with 200 and this header instead
        # (docs/architecture.md §5.1, failed sign-ins).
        seraph = "AUTHENTICATION_DENIED" in headers.get("X-Seraph-LoginReason", "").upper()
        if status == 401 or (status == 403 and denied) or seraph:
            self._blocked = True
            if self._on_auth_failure is not None:
                self._on_auth_failure()
            if "CAPTCHA" in denied.upper():
                raise JiraAuthError(
                    f"Jira at {self.url} wants a CAPTCHA after failed sign-ins. Sign in once in "
                    "your web browser to answer it, then sign in here again; nothing more will "
                    "be sent until then."
                )
            raise JiraAuthError(
                f"Jira at {self.url} refused the sign-in (HTTP {status}): the token may have "
                "expired or been revoked. Sign in again with a new token; nothing more will be "
                "sent until then."
            )
        if 300 <= status < 400:
            raise JiraRefusedError(
                status,
                f"Jira redirected {path} to {headers.get('Location', '?')}: check the site "
                "address.",
            )
        if status >= 400:
            try:
                message = error_message(status, self._body(content))
            except (TypeError, AttributeError, ValueError):
                message = f"HTTP {status}"
            raise JiraRefusedError(status, message)
        if status == 204 or not content:
            return None
        try:
            return json.loads(content)
        except (ValueError, RecursionError):  # not JSON, bad UTF-8, or nested past the parser
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
            return _worklog(data)
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
        return _worklog(data)

    def delete_worklog(self, issue_key: str, worklog_id: str) -> None:
        self.request(
            "DELETE",
            f"{self.api}/issue/{issue_key}/worklog/{worklog_id}",
            params={"adjustEstimate": "auto", "notifyUsers": "false"},
        )

    def expand(self) -> dict[str, str]:
        # Data Center's worklog resources take no `expand` (docs/architecture.md §5.1).
        return {"expand": "properties"} if self.deployment == "cloud" else {}

    def get_worklog(self, issue_key: str, worklog_id: str) -> RemoteWorklog:
        data = self.request(
            "GET", f"{self.api}/issue/{issue_key}/worklog/{worklog_id}", params=self.expand()
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

    def _worklog_pages(self, issue_key: str, extra: dict[str, Any]) -> list[RemoteWorklog]:
        """Every worklog of the issue that ``extra`` selects.

        Data Center answers 20 per page unless asked, and a server may cap lower than asked:
        page with startAt until `total` (sooperset/mcp-atlassian PR #1223; docs/architecture.md
        §5.1).
        """
        found: list[RemoteWorklog] = []
        start_at = 0
        pages = _Pages(f"worklogs of {issue_key}")
        while True:
            params = {**extra, **self.expand(), "startAt": start_at, "maxResults": WORKLOG_PAGE}
            data = self.request("GET", f"{self.api}/issue/{issue_key}/worklog", params=params)
            with _reading("a list of worklogs"):
                page = [_worklog(w) for w in _items(data["worklogs"])]
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
            with _reading("search results"):
                page = _items(data.get("issues"))
                found.extend(page)
                if not page:
                    break
                if self.deployment == "cloud":
                    token = _text(data.get("nextPageToken"))
                    if not token or token in seen:
                        break
                    seen.add(token)
                elif len(found) >= int(data.get("total") or 0):
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
        with _reading("issue picker results"):
            for section in _items(data.get("sections")):
                for item in _items(section.get("issues")):
                    key = str(item.get("key", ""))
                    if key and key not in found:
                        found[key] = JiraIssue(key=key, summary=str(item.get("summaryText") or ""))
        return list(found.values())[:limit]

    # -- team timesheets ---------------------------------------------------------------------

    def worklog_feed(self, kind: str, since_ms: int) -> tuple[list[tuple[str, int]], int, bool]:
        """One page of /worklog/updated or /worklog/deleted: (id, ms) pairs, until, last page."""
        data = self.request("GET", f"{self.api}/worklog/{kind}", params={"since": since_ms})
        with _reading(f"a /worklog/{kind} page"):
            values = [(str(v["worklogId"]), int(v["updatedTime"])) for v in _items(data["values"])]
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
            found.extend(_worklog(w) for w in data)
        return found

    def issue_keys(self, issue_ids: list[str]) -> dict[str, str]:
        keys: dict[str, str] = {}
        for start in range(0, len(issue_ids), KEY_BATCH):
            batch = issue_ids[start : start + KEY_BATCH]
            jql = f"id in ({','.join(batch)})"
            for issue in self._search_pages(jql, ["key"], len(batch), len(batch)):
                with _reading("an issue's key"):
                    keys[str(issue["id"])] = str(issue["key"])
        return keys

    def group_members(self, group: str) -> list[JiraUser]:
        """Every member, people who left included: their worklogs stay in past weeks."""
        members: list[JiraUser] = []
        pages = _Pages(f"members of {group}")
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
            with _reading("a page of group members"):
                values = [_user(u) for u in _items(data.get("values"))]
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
        return [_user(u) for u in data]

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
            return _user(data)
        return None

    # -- automatic timers (services.auto_timers) --------------------------------------------

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
            pages = _Pages(f"changes of {issue_key}")
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
                with _reading("a changelog page"):
                    values = _items(data.get("values") or [])
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
