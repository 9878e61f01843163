"""A tiny HTTP server on 127.0.0.1 that answers the way a broken or hostile Jira might.

Each request is answered by a `Reply` chosen by a function of (method, path): a status with
any headers, a fixed body, a body dripped a byte at a time, a body far too large, or no answer
at all. The server counts what it sent, so a test can show the client stopped reading early.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHUNK = 64 * 1024


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Send `body` one byte per `drip_s` seconds (after the headers).
    drip_s: float = 0.0
    # Claim and stream this many bytes of filler instead of `body`.
    huge: int = 0
    # Gzip `huge` bytes of filler into a small body labelled Content-Encoding: gzip.
    bomb: int = 0
    # Read the request, then never answer.
    stall: bool = False


def json_reply(text: str | bytes, status: int = 200, **headers: str) -> Reply:
    body = text.encode() if isinstance(text, str) else text
    return Reply(status, {"Content-Type": "application/json", **headers}, body)


@functools.cache
def _bomb(size: int) -> bytes:
    return gzip.compress(b" " * size, compresslevel=1)


class BadServer:
    def __init__(self, answer: Callable[[str, str], Reply]) -> None:
        self.answer = answer
        self.requests: list[tuple[str, str]] = []
        self.bytes_sent = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> BadServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _count(self, n: int) -> None:
        with self._lock:
            self.bytes_sent += n

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                owner.requests.append((self.command, path))
                reply = owner.answer(self.command, path)
                # The client hanging up early is what these tests want.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._write(reply)
                self.close_connection = True

            def _write(self, reply: Reply) -> None:
                if reply.stall:
                    owner.stopping.wait()
                    return
                body = reply.body
                if reply.bomb:
                    body = _bomb(reply.bomb)
                size = reply.huge or len(body)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.bomb:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(size))
                self.send_header("Connection", "close")
                self.end_headers()
                for piece in self._pieces(reply, body):
                    if owner.stopping.is_set():
                        return
                    self.wfile.write(piece)
                    self.wfile.flush()
                    owner._count(len(piece))
                    if reply.drip_s:
                        owner.stopping.wait(reply.drip_s)

            def _pieces(self, reply: Reply, body: bytes) -> Iterator[bytes]:
                if reply.huge:
                    filler = b" " * CHUNK
                    for start in range(0, reply.huge, CHUNK):
                        yield filler[: min(CHUNK, reply.huge - start)]
                elif reply.drip_s:
                    yield from (body[i : i + 1] for i in range(len(body)))
                else:
                    yield body

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
