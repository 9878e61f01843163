"""`doctor`: the checks, the exit code, measured service levels and the redacted report;
and the secrets sweep: after sign-in, syncs, a refused token, a crash and a report, the token is
nowhere on disk, in any output or on any command line."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import subprocess
from pathlib import Path

import pytest

from clockwork_desktop.fakejira import FakeJira
from tests.integration.test_cli_jira import run
from tests.support.jira import seed

TOKEN = "tok-8fQz2LrW9xVb"
NEW_TOKEN = "tok-Kp3sN7mYc4Ud"
EMAIL = "alice@example.com"
COMMENT = "talked to the landlord about rent"
SUMMARY = "Build the sync engine"


@pytest.fixture
def site() -> FakeJira:
    with FakeJira("cloud") as fake:
        seed(fake)
        fake.users["acc-alice"].token = TOKEN
        yield fake


class Recorder:
    """Runs CLI commands and keeps every command line and every output for the sweep."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.argvs: list[tuple[str, ...]] = []
        self.outputs: list[str] = []

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        self.argvs.append(args)
        result = run(self.tmp_path, *args, stdin=stdin)
        self.outputs += [result.stdout, result.stderr]
        return result

    def login(self, site: FakeJira, token: str) -> None:
        args = ("login", "--url", site.base_url, "--email", EMAIL, "--name", "cloud")
        result = self(*args, "--token-stdin", stdin=f"{token}\n")
        assert result.returncode == 0, result.stderr


def doctor(cli: Recorder, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = cli("doctor", "--json", *args)
    return result.returncode, json.loads(result.stdout)


def checks(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {c["name"]: c for c in report["checks"]}


def test_doctor_healthy_then_broken_with_a_redacted_report(tmp_path: Path, site: FakeJira) -> None:
    cli = Recorder(tmp_path)
    cli.login(site, TOKEN)
    assert cli("log", "PROJ-1", "1h", "--date", "2026-03-05", "--comment", COMMENT).returncode == 0
    assert cli("sync").returncode == 0
    code, healthy = doctor(cli)
    assert code == 0, healthy
    assert healthy["healthy"] is True
    found = checks(healthy)
    assert found["account cloud"]["detail"].endswith("reachable, token accepted")
    assert found["database"]["ok"] is True
    assert found["backups"]["ok"] is True
    level = healthy["service_level"]
    assert (level["measured"], level["within"], level["share"]) == (1, 1, 1.0)
    text = cli("doctor")
    assert text.returncode == 0
    assert "healthy" in text.stdout
    assert "99 % of stopped entries reach Jira within 10 minutes" in text.stdout

    site.revoke("acc-alice")
    assert cli("log", "OPS-7", "30m", "--date", "2026-03-05", "--start", "14:00").returncode == 0
    assert cli("sync").returncode == 3
    code, broken = doctor(cli)
    assert code == 1
    assert broken["healthy"] is False
    found = checks(broken)
    assert found["account cloud"]["ok"] is False
    assert "refused the token" in found["account cloud"]["detail"]
    assert found["account cloud"]["advice"]

    report = cli("doctor", "--report")
    assert report.returncode == 1
    assert "account cloud" in report.stdout
    assert "OPS-7" in report.stdout, "issue keys are kept: support needs them"
    for secret in (TOKEN, EMAIL, COMMENT, SUMMARY, "Alice Example"):
        assert secret not in report.stdout, secret


def _secrets(*tokens: str) -> list[bytes]:
    found = []
    for token in tokens:
        found.append(token.encode())
        found.append(base64.b64encode(f"{EMAIL}:{token}".encode()))  # a Basic header's value
    return found


def test_no_token_anywhere_after_login_sync_refusal_crash_and_report(
    tmp_path: Path, site: FakeJira
) -> None:
    cli = Recorder(tmp_path)
    cli.login(site, TOKEN)
    cli("log", "PROJ-1", "1h", "--date", "2026-03-05", "--comment", COMMENT)
    assert cli("sync", "--json").returncode == 0
    site.revoke("acc-alice")  # the token expires: the next sync is refused (401)
    cli("log", "PROJ-2", "1h", "--date", "2026-03-05", "--start", "13:00")
    assert cli("sync", "--json").returncode == 3
    doctor(cli)
    cli("doctor", "--report")
    site.users["acc-alice"].token = NEW_TOKEN
    cli.login(site, NEW_TOKEN)
    assert cli("sync", "--json").returncode == 0
    for command in ("accounts", "status", "entries"):
        cli(command, "--json")
    doctor(cli)
    cli("doctor", "--report")
    _crash_during_a_sync(tmp_path)

    secrets = _secrets(TOKEN, NEW_TOKEN)
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files)
    assert any(p.name == "clockwork.log" for p in files)
    assert any("backups" in p.parts for p in files)
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret not in content, (path, secret)
    for text in cli.outputs:
        for secret in secrets:
            assert secret.decode() not in text
    for argv in cli.argvs:
        for secret in secrets:
            assert all(secret.decode() not in word for word in argv), argv


def _crash_during_a_sync(tmp_path: Path) -> None:
    """An unexpected exception in the middle of a sync, logged as the scheduler logs it."""
    from clockwork_desktop.app.logsetup import setup_logging
    from clockwork_desktop.app.services import AppServices
    from clockwork_desktop.infra.credentials import KeyringCredentials
    from tests.support.memkeyring import FileKeyring

    data = tmp_path / "data"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    setup_logging(data / "logs")
    previous = __import__("keyring").get_keyring()
    import os

    os.environ["TEST_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    __import__("keyring").set_keyring(FileKeyring())
    services = AppServices(data, credentials=KeyringCredentials(environ={}))
    try:
        services.tracker.log_time("PROJ-2", 1800, day=dt.date(2026, 3, 5), start_time=dt.time(9, 0))

        def explode(*args: object, **kwargs: object) -> None:
            raise RuntimeError("store exploded mid-push")

        services.store.outbox_for = explode  # type: ignore[method-assign]
        try:
            services.sync.sync()
        except RuntimeError:
            logging.getLogger("clockwork_desktop.infra.scheduler").exception(
                "scheduled sync failed"
            )
        else:
            raise AssertionError("the crash did not happen")
    finally:
        services.close()
        __import__("keyring").set_keyring(previous)
        os.environ.pop("TEST_KEYRING_FILE", None)
        for handler in root.handlers:
            handler.close()
        root.handlers[:], root.level = saved
    assert "store exploded mid-push" in (data / "logs" / "clockwork.log").read_text()


def test_jira_quoting_the_token_reaches_neither_the_report_nor_the_log(tmp_path: Path) -> None:
    from tests.support.badserver import BadServer, json_reply

    quoted = f"Token {TOKEN} is not valid for this project"
    signed_in: list[bool] = []

    def answer(method: str, path: str) -> object:
        if "/serverInfo" in path:
            return json_reply('{"deploymentType": "Cloud", "version": "1001.0.0"}')
        if "/myself" in path and not signed_in:
            signed_in.append(True)
            user = {"accountId": "acc-alice", "displayName": "Alice", "timeZone": "UTC"}
            return json_reply(json.dumps(user))
        return json_reply(json.dumps({"errorMessages": [quoted]}), 400)

    with BadServer(answer) as server:  # type: ignore[arg-type]
        cli = Recorder(tmp_path)
        args = ("login", "--url", server.base_url, "--email", EMAIL, "--name", "cloud")
        assert cli(*args, "--token-stdin", stdin=f"{TOKEN}\n").returncode == 0
        doctor(cli)
        report = cli("doctor", "--report")
        cli("issues")
    assert report.returncode == 1
    assert "account cloud" in report.stdout
    assert "HTTP 400" in report.stdout
    assert "is not valid for this project" not in report.stdout  # Jira's words stay out
    log = (tmp_path / "data" / "logs" / "clockwork.log").read_text()
    assert "is not valid for this project" in log  # the log keeps Jira's words, scrubbed
    for output in (report.stdout, log):
        assert TOKEN not in output
