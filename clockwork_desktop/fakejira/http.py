"""The fake's HTTP plumbing: the request handler's base, faults on the wire, auth, errors.

``HandlerBase`` reads a request, applies the injected faults and latency (``faults.Fault``),
signs the caller in and answers; ``routes._Handler`` adds the route table and the resources
(one module per resource family). ``HttpError`` is any answer other than success, with a body
shaped like Jira's (``_errors``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from clockwork_desktop.fakejira.state import FakeJira, FakeUser


class HttpError(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _errors(messages: list[str] | None = None, **fields: str) -> dict[str, Any]:
    return {"errorMessages": messages or [], "errors": fields}


def _paging(params: Any, *, default: int, cap: int) -> tuple[int, int]:
    """startAt and maxResults, refused with 400 when they are not numbers (as Jira does)."""
    try:
        start = int(params.get("startAt", 0))
        size = int(params.get("maxResults", default))
    except (TypeError, ValueError):
        raise HttpError(400, _errors(["startAt and maxResults must be numbers."])) from None
    if start < 0 or size < 0:
        raise HttpError(400, _errors(["startAt and maxResults must not be negative."]))
    return start, min(size, cap)


class HandlerBase(BaseHTTPRequestHandler):
    jira: FakeJira
    protocol_version = "HTTP/1.1"
    server_version = "FakeJira/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer, which real Jira does not.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- plumbing ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _answered(self, status: int) -> None:
        with self.jira.lock:
            self.jira.answers.append((self.command, urlsplit(self.path).path, status))

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._answered(status)
        if body is None:
            payload = b""
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = json.dumps(body).encode()
        self.send_response(status)
        content_type = "application/json" if not isinstance(body, str) else "text/plain"
        self.send_header("Content-Type", f"{content_type};charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _hang_up(self) -> None:
        self._answered(0)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _serve(self, method: str) -> None:
        jira = self.jira
        split = urlsplit(self.path)
        path = split.path
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with jira.lock:
            jira.requests.append((method, path))
        if jira.latency_s:
            time.sleep(jira.latency_s)
        fault = jira.take_fault(method, path)
        if fault is not None and fault.kind == "reset":
            self._hang_up()
            return
        if fault is not None and fault.kind in ("503", "429", "500"):
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            if fault.kind == "429":
                headers["RateLimit-Reason"] = fault.reason
                headers["X-RateLimit-Remaining"] = "0"
            self._send(int(fault.kind), _errors(["Injected failure"]), headers)
            return
        try:
            status, body, headers = self._route(method, path, query, raw)
        except HttpError as exc:
            status, body, headers = exc.status, exc.body, exc.headers
        except Exception as exc:  # a bug in the fake: answer, and keep it for the tests
            with jira.lock:
                jira.internal_errors.append(f"{method} {path}: {exc!r}")
            status, body, headers = 500, f"fake Jira bug: {exc!r}", {}
        is_write = method in ("POST", "PUT", "DELETE") and "/worklog" in path
        dropped_by_rate = (
            is_write and status < 300 and jira.drop_rate and jira._random.random() < jira.drop_rate
        )
        if (fault is not None and fault.kind == "drop") or dropped_by_rate:
            with jira.lock:
                jira.dropped.append((method, path))
            self._hang_up()
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "garbage":
            self._send(200, "<html>Service temporarily unavailable</html>")
            return
        self._send(status, body, headers)

    # -- auth -------------------------------------------------------------------------------

    def _user(self) -> FakeUser:
        jira = self.jira
        header = self.headers.get("Authorization", "")
        unauthorized = HttpError(
            401,
            {
                "message": "Client must be authenticated to access this resource.",
                "status-code": 401,
            },
            {"WWW-Authenticate": 'Basic realm="protected-area"'},
        )
        with jira.lock:
            if jira.mode == "cloud" and header.startswith("Basic "):
                try:
                    email, _, token = base64.b64decode(header[6:]).decode().partition(":")
                except ValueError:
                    raise unauthorized from None
                for user in jira.users.values():
                    if user.email == email and user.token == token:
                        return user
            if jira.mode == "dc" and header.startswith("Bearer "):
                for user in jira.users.values():
                    if user.token == header[7:]:
                        return user
            # After repeated failed logins Data Center asks for a CAPTCHA: 403 with
            # X-Authentication-Denied-Reason; old servers answer 200 with X-Seraph-LoginReason:
            # AUTHENTICATION_DENIED (Data Center basic-authentication docs, "CAPTCHA":
            # https://developer.atlassian.com/server/jira/platform/basic-authentication/;
            # gioboa/jira-plugin#26).
            if jira.auth_denial == "captcha":
                raise HttpError(
                    403,
                    "<html>CAPTCHA required</html>",
                    {
                        "X-Authentication-Denied-Reason": (
                            f"CAPTCHA_CHALLENGE; login-url={jira.base_url}/login.jsp"
                        )
                    },
                )
            if jira.auth_denial == "seraph200":
                raise HttpError(
                    200, "<html>Log in</html>", {"X-Seraph-LoginReason": "AUTHENTICATION_DENIED"}
                )
        raise unauthorized

    def _check_xsrf(self, method: str) -> None:
        if method == "GET":
            return
        agent = self.headers.get("User-Agent", "")
        if "Mozilla/" in agent and self.headers.get("X-Atlassian-Token") != "no-check":
            raise HttpError(403, "XSRF check failed")

    def _route(
        self, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        """The answer to one request: ``routes._Handler`` holds the route table."""
        raise NotImplementedError
