"""The Jira session: one httpx client, Jira's retry rules, deadlines and size limits, errors
a person can act on, and the paging guards every list read shares.

Tokens never appear in logs, exceptions or reprs: httpx's auth objects hold them, and we never
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
from typing import Any

import httpx

from clockwork_desktop import __version__
from clockwork_desktop.core.errors import (
    InputError,
    JiraAuthError,
    JiraOutcomeUnknownError,
    JiraProtocolError,
    JiraRateLimitedError,
    JiraRefusedError,
    JiraUnreachableError,
)
from clockwork_desktop.core.jira_format import error_message
from clockwork_desktop.core.logs import get_logger
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


class Pages:
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
def reading(what: str) -> Iterator[None]:
    """Turns a wrong JSON shape met while reading ``what`` into a JiraProtocolError."""
    try:
        yield
    except _MALFORMED as exc:
        detail = str(exc)[:200]  # the server chose this text: keep it short
        raise JiraProtocolError(
            f"Jira sent {what} we cannot read ({type(exc).__name__}: {detail})."
        ) from exc


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def items(value: Any) -> list[Any]:
    """A JSON array, or a TypeError (a string or an object would iterate as something else)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"expected a list, not {type(value).__name__}")
    return value


class JiraSession:
    """Transport and paging; the resource calls live in the classes that build on it."""

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
        return f"{type(self).__name__}({self.url!r}, {self.deployment})"

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

    def expand(self) -> dict[str, str]:
        # Data Center's worklog resources take no `expand` (docs/architecture.md §5.1).
        return {"expand": "properties"} if self.deployment == "cloud" else {}

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
            with reading("search results"):
                page = items(data.get("issues"))
                found.extend(page)
                if not page:
                    break
                if self.deployment == "cloud":
                    token = text_or_none(data.get("nextPageToken"))
                    if not token or token in seen:
                        break
                    seen.add(token)
                elif len(found) >= int(data.get("total") or 0):
                    break
        return found[:limit]
