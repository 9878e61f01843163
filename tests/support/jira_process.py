"""The fake Jira in its own process, with a small control channel.

Tests that kill clients, run the CLI in subprocesses and restore databases want the site to
outlive all of them, as a real Jira does. ``JiraProcess`` starts ``python -m
tests.support.jira_process`` with a site seeded as :func:`tests.support.jira.variant_site`
seeds one, and forwards calls to that process's ``FakeJira`` (``inject``, ``edit_worklog``,
``delete_worklog``, ``add_worklog``, ``move``, ...) over a ``multiprocessing.connection``
channel; results come back pickled (``FakeWorklog`` and ``Fault`` are plain dataclasses).

The host also records every worklog write one user attempted on another user's worklog
(``foreign_writes``), whether or not the site allowed it: a client must never try.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import subprocess
import sys
import time
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class JiraProcess:
    """A seeded fake Jira of one variant in a child process; a context manager."""

    def __init__(self, mode: str, properties: str, **switches: Any) -> None:
        self.mode = mode
        self.properties = properties
        self._switches = switches
        self._proc: subprocess.Popen[str] | None = None
        self._conn: Connection | None = None
        self.base_url = ""

    def __enter__(self) -> JiraProcess:
        key = secrets.token_hex(16)
        config = json.dumps({"mode": self.mode, "properties": self.properties, **self._switches})
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.jira_process", config],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        self._proc.stdin.write(key + "\n")
        self._proc.stdin.flush()
        ready = json.loads(self._proc.stdout.readline())
        self.base_url = ready["base_url"]
        self._conn = Client(ready["control"], "AF_UNIX", authkey=key.encode())
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(("stop", (), {}))
                self._conn.recv()
            except (OSError, EOFError):
                pass
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            for pipe in (self._proc.stdin, self._proc.stdout):
                if pipe is not None:
                    pipe.close()
            self._proc = None

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        assert self._conn is not None, "the fake Jira process is not running"
        self._conn.send((name, args, kwargs))
        ok, value = self._conn.recv()
        if not ok:
            raise value
        return value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)


# -- the child --------------------------------------------------------------------------------


def _record_foreign_writes(jira: Any) -> list[dict[str, Any]]:
    """Wrap the worklog write handlers to note writes on someone else's worklog."""
    from clockwork_desktop.fakejira import server

    attempts: list[dict[str, Any]] = []

    def watch(name: str) -> None:
        original = getattr(server._Handler, name)

        def handler(self: Any, ctx: dict[str, Any], key: str, wid: str, **rest: Any) -> Any:
            worklog = jira.worklogs.get(int(wid)) if str(wid).isdigit() else None
            if worklog is not None and worklog.author != ctx["user"].account_id:
                attempts.append(
                    {
                        "by": ctx["user"].account_id,
                        "author": worklog.author,
                        "worklog": worklog.id,
                        "handler": name,
                    }
                )
            return original(self, ctx, key=key, wid=wid, **rest)

        setattr(server._Handler, name, handler)

    for name in ("_worklog_put", "_worklog_delete", "_property_put", "_property_delete"):
        watch(name)
    return attempts


def _snapshot(jira: Any) -> dict[str, Any]:
    with jira.lock:
        return {
            "worklogs": {wid: _plain(w) for wid, w in jira.worklogs.items()},
            "issue_keys": {i.id: i.key for i in jira.issues.values()},
            "deleted": list(jira.deleted),
            "internal_errors": list(jira.internal_errors),
            "requests": len(jira.requests),
        }


def _plain(worklog: Any) -> dict[str, Any]:
    """A worklog as a dict, with its comment as text on every variant (ADF on Cloud)."""
    from clockwork_desktop.fakejira import server

    comment = worklog.comment
    text = server._adf_text(comment) if isinstance(comment, dict) else (comment or "")
    return dict(worklog.__dict__, properties=dict(worklog.properties), comment_text=text)


def _wait_for_new_worklog(jira: Any, known: set[int], timeout_s: float) -> int | None:
    """The id of a worklog not in ``known`` once one is saved (None if none came in time)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with jira.lock:
            new = set(jira.worklogs) - known
        if new:
            return min(new)
        time.sleep(0.005)
    return None


def _set_clock(jira: Any, ms: int) -> None:
    """Set the site's clock to ``ms`` (epoch ms), never backwards: its `updated` stamps, feeds
    and changelog then follow a test's fake clock, as a real site's follow the real one.

    From there it moves on by a millisecond each time it is read, as real time would between
    two requests: a change is then never stamped at an instant a feed already answered for.
    """
    from clockwork_desktop.fakejira import state

    start = max(ms, jira._last_ms + 1) if getattr(state, "_stopped_clock", False) else ms
    ticks = itertools.count(start)
    state._now_ms = lambda: next(ticks)  # type: ignore[assignment]
    state._stopped_clock = True  # type: ignore[attr-defined]
    jira.now_ms = lambda: ms


def main() -> None:
    from clockwork_desktop.fakejira import FakeJira
    from tests.support.jira_seed import seed

    config = json.loads(sys.argv[1])
    key = sys.stdin.readline().strip().encode()
    mode, properties = config.pop("mode"), config.pop("properties")
    jira = FakeJira(mode, inline_properties=properties, feed_quiet_s=0, **config)
    seed(jira)
    foreign = _record_foreign_writes(jira)
    jira.start()
    extra = {
        "snapshot": lambda: _snapshot(jira),
        "foreign_writes": lambda: list(foreign),
        "wait_for_new_worklog": lambda *a: _wait_for_new_worklog(jira, *a),
        "clear_faults": lambda: jira.faults.clear(),
        "set_clock": lambda ms: _set_clock(jira, ms),
        "comment_for_storage": lambda text: jira._comment_for_storage(text),
    }
    # A Unix socket: no Nagle delay on each small answer, and no port to find.
    with Listener(family="AF_UNIX", authkey=key) as listener:
        print(json.dumps({"base_url": jira.base_url, "control": listener.address}), flush=True)
        with listener.accept() as conn:
            while True:
                try:
                    name, args, kwargs = conn.recv()
                except EOFError:
                    break
                if name == "stop":
                    conn.send((True, None))
                    break
                try:
                    target = extra.get(name) or getattr(jira, name)
                    value = target(*args, **kwargs) if callable(target) else target
                    conn.send((True, value))
                except Exception as exc:  # the parent re-raises it
                    conn.send((False, exc))
    jira.stop()


if __name__ == "__main__":
    main()
