"""Hostile input, systematically (issue 9): hypothesis feeds every Jira response parser in the
client malformed answers and every CLI command malformed arguments.

The parsers are the target here, so the answers come through an httpx MockTransport: the same
streaming, size and decoding path as a real connection, thousands of times faster. What only a
real socket shows (drips, stalls, huge bodies) is in test_hostile_server.py.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.models import JiraIssue, JiraUser, RemoteWorklog
from clockwork_desktop.core.ports import WorklogWrite
from clockwork_desktop.infra.jira.client import JiraClient
from tests.support.jira import Sleeps

# Every field name a parser looks for, so generated objects often reach the deep paths.
KEYS = [
    "issues", "values", "worklogs", "sections", "total", "isLast", "lastPage", "until",
    "nextPageToken", "key", "id", "fields", "summary", "status", "statusCategory", "name",
    "updated", "summaryText", "started", "timeSpentSeconds", "comment", "author", "accountId",
    "displayName", "timeZone", "emailAddress", "issueId", "properties", "value", "worklogId",
    "updatedTime", "errorMessages", "errors", "message", "content", "type", "text",
    "deploymentType",
]  # fmt: skip
WORKLOG = {
    "id": "10",
    "issueId": "100",
    "started": "2026-03-09T09:00:00.000+0100",
    "timeSpentSeconds": 3600,
    "updated": "2026-03-09T10:00:00.000+0100",
    "author": {"accountId": "acc-alice", "displayName": "Alice"},
    "comment": {"type": "doc", "content": [{"type": "text", "text": "hi"}]},
    "properties": [{"key": "clockwork", "value": {"uuid": "u"}}],
}
VALID = [
    {"issues": [{"id": "100", "key": "PROJ-1", "fields": {"summary": "s"}}], "total": 1},
    {"values": [{"worklogId": 10, "updatedTime": 5}], "until": 6, "lastPage": True},
    {"values": [{"accountId": "acc-bob", "displayName": "Bob"}], "isLast": True},
    {"sections": [{"issues": [{"key": "PROJ-1", "summaryText": "s"}]}]},
    {"worklogs": [WORKLOG], "total": 1},
    WORKLOG,
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["", "9999-12-31T23:59:59.999-1400", "0001-01-01T00:00:00.000+1400"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=6)
    ),
    max_leaves=25,
)


def _mutate(value: Any, data: st.DataObject) -> Any:
    """A valid answer with one place changed: a field dropped, replaced, or added."""
    if isinstance(value, dict) and value:
        key = data.draw(st.sampled_from(sorted(value)))
        action = data.draw(st.sampled_from(["drop", "replace", "descend", "add"]))
        copy = dict(value)
        if action == "drop":
            del copy[key]
        elif action == "replace":
            copy[key] = data.draw(json_values)
        elif action == "descend":
            copy[key] = _mutate(copy[key], data)
        else:
            copy[data.draw(st.sampled_from(KEYS))] = data.draw(json_values)
        return copy
    if isinstance(value, list) and value:
        index = data.draw(st.integers(0, len(value) - 1))
        return [*value[:index], _mutate(value[index], data), *value[index + 1 :]]
    return data.draw(json_values)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["mutated", "random", "raw"]))
    if kind == "mutated":
        value = _mutate(draw(st.sampled_from(VALID)), draw(st.data()))
        return json.dumps(value).encode()
    if kind == "random":
        return json.dumps(draw(json_values)).encode()
    good = json.dumps(draw(st.sampled_from(VALID))).encode()
    return draw(
        st.sampled_from(
            [
                b"<!DOCTYPE html><html><body><h1>Log in</h1></body></html>",
                b'{"issues": [{"key": "\xff\xfe\xc3"}]}',  # bad UTF-8
                b"[" * 100_000 + b"]" * 100_000,  # deeper than any parser's stack
                b'{"comment": ' + b'{"content": [' * 5000 + b"]}" * 5000 + b"}",
                json.dumps({"key": "K-1", "fields": {"summary": "x" * 3_000_000}}).encode(),
                b"\x00\x01\x02",
                b"",
            ]
        )
        | st.integers(1, max(1, len(good) - 1)).map(lambda n: good[:n])  # truncated JSON
    )


WRITE = WorklogWrite(
    started=datetime.fromisoformat("2026-03-09T09:00:00+01:00"),
    zone="Europe/Berlin",
    seconds=3600,
    comment="c",
    properties={"clockwork": {"uuid": "u"}},
)
PARSERS: dict[str, Callable[[JiraClient], Any]] = {
    "server_info": lambda j: j.server_info(),
    "myself": lambda j: j.myself(),
    "add_worklog": lambda j: j.add_worklog("PROJ-1", WRITE),
    "update_worklog": lambda j: j.update_worklog("PROJ-1", "10", WRITE),
    "delete_worklog": lambda j: j.delete_worklog("PROJ-1", "10"),
    "get_worklog": lambda j: j.get_worklog("PROJ-1", "10"),
    "set_worklog_property": lambda j: j.set_worklog_property("PROJ-1", "10", "k", {"v": 1}),
    "get_worklog_property": lambda j: j.get_worklog_property("PROJ-1", "10", "k"),
    "worklogs_of": lambda j: j.worklogs_of("PROJ-1"),
    "worklogs_started_between": lambda j: j.worklogs_started_between(
        "PROJ-1",
        datetime.fromisoformat("2026-03-09T00:00:00+00:00"),
        datetime.fromisoformat("2026-03-10T00:00:00+00:00"),
    ),
    "search": lambda j: j.search("project = PROJ"),
    "issue": lambda j: j.issue("PROJ-1"),
    "pick_issues": lambda j: j.pick_issues("proj"),
    "worklog_feed": lambda j: j.worklog_feed("updated", 0),
    "worklogs_by_ids": lambda j: j.worklogs_by_ids(["10", "11"]),
    "issue_keys": lambda j: j.issue_keys(["100"]),
    "group_members": lambda j: j.group_members("team-a"),
    "find_users": lambda j: j.find_users("al"),
    "user": lambda j: j.user("al"),
}


def _check_valid(result: Any) -> None:
    """A result that is not an error must have the types the rest of the app relies on."""
    if isinstance(result, JiraIssue):
        assert isinstance(result.key, str)
        assert isinstance(result.summary, str)
        assert result.updated is None or result.updated.tzinfo is not None
    elif isinstance(result, JiraUser):
        assert isinstance(result.account_id, str)
        assert result.time_zone is None or isinstance(result.time_zone, str)
    elif isinstance(result, RemoteWorklog):
        assert isinstance(result.id, str)
        assert isinstance(result.seconds, int)
        assert result.started.tzinfo is not None
        assert isinstance(result.properties, dict)
    elif isinstance(result, list | tuple):
        for item in result:
            _check_valid(item)
    elif isinstance(result, dict):
        assert all(isinstance(k, str) for k in result)
    else:
        assert result is None or isinstance(result, str | int | bool | float), type(result)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=bodies(),
    status=st.sampled_from([200, 200, 200, 201, 204, 400, 404, 409, 413]),
    content_type=st.sampled_from(["application/json", "text/html", "application/json; x"]),
    deployment=st.sampled_from(["cloud", "datacenter"]),
    name=st.sampled_from(sorted(PARSERS)),
)
# Pages that never end: the same page with a huge total, or never the last.
@example(
    json.dumps({"worklogs": [WORKLOG], "total": 2**40}).encode(), 200, "a", "cloud", "worklogs_of"
)
@example(json.dumps({"values": [{"accountId": "a"}]}).encode(), 200, "a", "cloud", "group_members")
def test_every_parser_gives_a_classified_error_or_a_valid_result(
    body: bytes, status: int, content_type: str, deployment: str, name: str
) -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(status, headers={"Content-Type": content_type}, content=body)

    jira = JiraClient(
        "http://127.0.0.1:9",
        auth_kind="bearer",
        email=None,
        token="fuzz-token",
        deployment=deployment,
        sleep=Sleeps(),
        transport=httpx.MockTransport(answer),
        max_body_bytes=4 * 1024 * 1024,
    )
    message: str | None = None
    try:
        result = PARSERS[name](jira)
    except ClockworkError as exc:
        message = str(exc)
    else:
        _check_valid(result)
    if message is not None:
        assert 0 < len(message) < 2000  # readable, and never the server's whole page
    assert len(calls) < 1100  # a page that never ends is noticed


# -- the command line ------------------------------------------------------------------------

# Values chosen to hurt: far dates, huge and negative numbers, escapes, bidi overrides, empty
# text, option-looking words, and Jira addresses that refuse at once (nothing leaves this host).
WORDS = [
    "", "-", "--", "PROJ-1", "proj-1", "X-0", "#1", "1", "0", "-1", "99999999999999999999",
    "1h", "90m", "0m", "-5m", "1e400", "nan", "inf", "2026-03-09", "0001-01-01", "9999-12-31",
    "2026-W10", "2026-W99", "2026-02-30", "09:00", "25:61", "2026-03-09T09:00:00+14:00",
    "1900-01-01T00:00", "today", "yesterday", "\x1b[2J\x1b]8;;x\x07", "\u202eevil", "a\nb",
    "x" * 5000, "=HYPERLINK(1)", "http://127.0.0.1:1", "https://127.0.0.1:1/", "http://[::1",
    "https://a:b@127.0.0.1:1", "csv", "tsv", "xlsx", "json", "none", "up:15m", "team-a",
]  # fmt: skip


def _subcommands() -> dict[str, list[tuple[str, list[str] | None]]]:
    """Each subcommand's options (never the GUI's --window): (option, its choices or None for
    free text), with [] for a flag that takes no value."""
    from clockwork_desktop.app.commands import full_parser

    parser = full_parser()
    action = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
    found: dict[str, list[tuple[str, list[str] | None]]] = {}
    for name, sub in action.choices.items():
        found[name] = [
            (option, [] if a.nargs == 0 else ([str(c) for c in a.choices] if a.choices else None))
            for a in sub._actions
            for option in a.option_strings
            if option not in ("-h", "--help", "--window")
        ]
    return found


SUBCOMMANDS = _subcommands()


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A subcommand, maybe a positional word, then options with values that are mostly
    well-formed for their option and sometimes not, so that most lines reach the command."""
    name = draw(st.sampled_from(sorted(SUBCOMMANDS)))
    options = SUBCOMMANDS[name]
    words = st.sampled_from(WORDS)
    argv = [name, *draw(st.lists(words, max_size=1))]
    chosen = draw(st.lists(st.sampled_from(options), max_size=4)) if options else []
    for option, choices in chosen:
        argv.append(option)
        if choices is None:
            argv.append(draw(words))
        elif choices:
            argv.append(draw(st.sampled_from(choices) | words))
    return argv


@settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=command_lines())
def test_every_cli_command_survives_hostile_arguments(
    argv: list[str], tmp_path: Path, memory_keyring: object, monkeypatch: Any
) -> None:
    from clockwork_desktop.app import main as entry

    monkeypatch.delenv("CLOCKWORK_JIRA_TOKEN", raising=False)
    monkeypatch.setattr(entry, "_setup_logging", lambda _base: None)  # keep the root logger
    monkeypatch.setattr("sys.stdin", io.StringIO("fuzz-token\n"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = entry.main(["--data-dir", str(tmp_path / "data"), *argv])
        except SystemExit as exc:  # argparse: usage errors (2), --version (0)
            code = exc.code if isinstance(exc.code, int) else 2
    assert code in (0, 1, 2, 3), (argv, code, err.getvalue())
    assert "Traceback" not in out.getvalue() + err.getvalue()
