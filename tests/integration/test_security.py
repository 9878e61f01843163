"""Defects from the security review (issue 9), each reproduced end to end before its fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clockwork_desktop.fakejira import FakeJira, FakeUser
from tests.integration.test_cli_jira import login, run
from tests.support.hostile import ESCAPE_SUMMARY, seed_hostile, unsafe_for_terminals
from tests.support.jira import ALICE, seed

BEA = FakeUser("acc-bea", "Bea Second", "bea@example.com", "bea-token", time_zone="UTC")


@pytest.fixture
def site(jira: FakeJira) -> FakeJira:
    return jira


@pytest.fixture
def other_site() -> Iterator[FakeJira]:
    """A second Jira where the first site's token means nothing."""
    with FakeJira("cloud") as fake:
        seed(fake).add_user(BEA)
        yield fake


def _two_accounts(tmp_path: Path, site: FakeJira, other_site: FakeJira) -> None:
    login(tmp_path, site)
    second = run(
        tmp_path,
        *("login", "--url", other_site.base_url, "--email", BEA.email, "--name", "second"),
        "--token-stdin",
        stdin="bea-token\n",
    )
    assert second.returncode == 0, second.stderr
    for account, start in (("127.0.0.1", "09:00"), ("second", "11:00")):
        logged = run(
            tmp_path,
            *("log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", start),
            *("--account", account),
        )
        assert logged.returncode == 0, logged.stderr


def test_env_token_is_not_sent_to_another_site(
    tmp_path: Path, site: FakeJira, other_site: FakeJira
) -> None:
    _two_accounts(tmp_path, site, other_site)
    before = other_site.count()
    result = run(tmp_path, "sync", env={"CLOCKWORK_JIRA_TOKEN": "alice-token"})
    assert result.returncode == 3
    assert "--account" in result.stdout + result.stderr
    assert other_site.count() == before  # not one request carried the first site's token
    accounts = json.loads(run(tmp_path, "accounts", "--json").stdout)
    assert [a["token_refused"] for a in accounts] == [False, False]


def test_env_token_applies_to_the_account_named(
    tmp_path: Path, site: FakeJira, other_site: FakeJira
) -> None:
    _two_accounts(tmp_path, site, other_site)
    env = {"CLOCKWORK_JIRA_TOKEN": "alice-token"}
    result = run(tmp_path, "sync", "--json", "--account", "127.0.0.1", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 2
    assert len(site.worklogs_of("PROJ-1")) == 1
    assert [w.author for w in other_site.worklogs_of("PROJ-1")] == ["acc-bea"]


def test_credentials_in_the_site_address_are_refused(tmp_path: Path, site: FakeJira) -> None:
    with_password = site.base_url.replace("http://", "http://alice:s3cret-pw@")
    result = run(
        tmp_path,
        *("login", "--url", with_password, "--email", ALICE.email, "--token-stdin"),
        stdin="alice-token\n",
    )
    assert result.returncode == 2
    assert "user name or password" in result.stderr
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert json.loads(run(tmp_path, "accounts", "--json").stdout) == []
    assert site.count() == 0
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"s3cret-pw" not in path.read_bytes(), path


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.example.com:99999",
        "https://xn--",
        "https://xn--zz.example.com",
        "https://" + "a" * 64 + ".example.com",
        "https://a..b.example.com",
        "https://exa mple.com",
        "https://[::1",
        "https://acme.example.com\x1b[2J",
    ],
)
def test_malformed_site_addresses_exit_2_without_a_traceback(tmp_path: Path, url: str) -> None:
    result = run(tmp_path, "login", "--url", url, "--token-stdin", stdin="some-token\n")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "address" in result.stderr


# -- tokens with line breaks or control characters --------------------------------------------

EVIL_TOKEN = "alice-token\r\nX-Evil: s3cret-part"


def _nothing_holds(secret: str, root: Path, *outputs: str) -> None:
    for text in outputs:
        assert secret not in text
    for path in root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_a_token_with_a_line_break_is_refused_at_login(tmp_path: Path, dc_jira: FakeJira) -> None:
    from_env = run(
        tmp_path, "login", "--url", dc_jira.base_url, env={"CLOCKWORK_JIRA_TOKEN": EVIL_TOKEN}
    )
    from_stdin = run(
        tmp_path,
        *("login", "--url", dc_jira.base_url, "--token-stdin"),
        stdin="alice\rs3cret-part\n",
    )
    for result in (from_env, from_stdin):
        assert result.returncode == 2, result.stderr
        assert "control character" in result.stderr
        assert "Traceback" not in result.stderr
    assert dc_jira.count() == 0
    _nothing_holds("s3cret-part", tmp_path, *(r.stdout + r.stderr for r in (from_env, from_stdin)))


def test_a_token_with_a_line_break_in_the_environment_is_not_sent(
    tmp_path: Path, site: FakeJira
) -> None:
    login(tmp_path, site)
    run(tmp_path, "log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", "09:00")
    before = site.count()
    result = run(tmp_path, "sync", env={"CLOCKWORK_JIRA_TOKEN": EVIL_TOKEN})
    assert result.returncode == 3
    assert "CLOCKWORK_JIRA_TOKEN" in result.stdout + result.stderr
    assert site.count() == before
    _nothing_holds("s3cret-part", tmp_path, result.stdout, result.stderr)


def test_the_log_file_never_holds_an_authorization_header(tmp_path: Path) -> None:
    import logging

    from clockwork_desktop.app.logsetup import LOG_FILENAME, setup_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    setup_logging(tmp_path)
    try:
        try:
            raise ValueError("Illegal header value b'Bearer s3cret-part\\r\\nX: y'")
        except ValueError:
            logging.getLogger("clockwork_desktop.test").exception("request failed")
        logging.getLogger("clockwork_desktop.test").warning(
            "sent Authorization: Basic czNjcmV0LXBhcnQ= to https://bob:s3cret-pw@example.com"
        )
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], root.level = saved
    text = (tmp_path / LOG_FILENAME).read_text()
    assert "request failed" in text
    assert "ValueError" in text
    for secret in ("s3cret-part", "czNjcmV0LXBhcnQ", "s3cret-pw"):
        assert secret not in text


# -- hostile text from Jira ------------------------------------------------------------------


def test_cli_output_carries_no_terminal_control_characters(tmp_path: Path, site: FakeJira) -> None:
    seed_hostile(site)
    login(tmp_path, site)
    issues = run(tmp_path, "issues")
    search = run(tmp_path, "search", "click")
    sheet = run(tmp_path, "timesheet", "--week", "2026-W11", "--group", "team-a")
    for result in (issues, search, sheet):
        assert result.returncode == 0, result.stderr
        assert unsafe_for_terminals(result.stdout + result.stderr) == []
    assert "click" in issues.stdout
    assert "red" in search.stdout
    assert "Mallory" in sheet.stdout
    assert "2h" in sheet.stdout
    as_json = run(tmp_path, "issues", "--json")
    summaries = {i["key"]: i["summary"] for i in json.loads(as_json.stdout)}
    assert summaries["EVIL-2"] == ESCAPE_SUMMARY  # JSON keeps the data, escaped
    assert unsafe_for_terminals(as_json.stdout) == []


# -- exports ---------------------------------------------------------------------------------


def _export(tmp_path: Path, site: FakeJira, name: str) -> Path:
    out = tmp_path / name
    result = run(
        tmp_path, *("timesheet", "--week", "2026-W11", "--group", "team-a", "--output", str(out))
    )
    assert result.returncode == 0, result.stderr
    return out


def test_exports_neutralise_formulas_and_write_hours(tmp_path: Path, site: FakeJira) -> None:
    import csv

    seed_hostile(site)
    login(tmp_path, site)
    for name, delimiter in (("week.csv", ","), ("week.tsv", "\t")):
        text = _export(tmp_path, site, name).read_text(encoding="utf-8")
        rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
        assert rows[1][2:] == ["hours"] * 10 + ["h:mm"] * 3  # the unit row
        mallory = next(r for r in rows if "HYPERLINK" in r[0] and r[1] == "")
        assert mallory[0].startswith("'=HYPERLINK")
        assert mallory[3] == "2"
        assert mallory[9] == "2"
        assert mallory[12:15] == ["2:00", "40:00", "-38:00"]
        assert not any(c.startswith(("=", "+", "@")) for row in rows for c in row)


def test_xlsx_export_opens_with_text_kept_as_text(tmp_path: Path, site: FakeJira) -> None:
    import openpyxl

    seed_hostile(site)
    login(tmp_path, site)
    sheet = openpyxl.load_workbook(_export(tmp_path, site, "week.xlsx")).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[1][2:4]] == ["hours", "hours"]
    mallory = next(r for r in rows if "HYPERLINK" in str(r[0].value) and not r[1].value)
    assert mallory[0].data_type == "s"  # a string, never a formula
    assert mallory[0].value.startswith('=HYPERLINK("https://evil.example"')
    assert mallory[3].value == 2
    assert mallory[9].value == 2
    assert [c.value for c in mallory[12:15]] == ["2:00", "40:00", "-38:00"]


# -- odd input exits 2 with a message, never a traceback ------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("entries", "--date", "9999-12-31"),
        ("entries", "--week", "9999-W52"),
        ("entries", "--from", "9999-12-30", "--to", "9999-12-31"),
        ("log", "A-1", "1h", "--date", "9999-12-31"),
        ("log", "A-1", "1h", "--date", "0001-01-01"),
        ("timesheet", "--date", "9999-12-31"),
        ("start", "A-1", "--at", "0001-01-01T00:30+05:00"),
        ("edit", "99999999999999999999999", "--comment", "x"),
        ("delete", "99999999999999999999"),
    ],
)
def test_extreme_dates_and_ids_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(("clockwork-desktop: ", "usage:"))


def test_ca_bundle_is_set_at_login_and_checked(
    tmp_path: Path, site: FakeJira, other_site: FakeJira
) -> None:
    import shutil

    import certifi

    missing = run(
        tmp_path,
        *("login", "--url", site.base_url, "--email", ALICE.email, "--token-stdin"),
        *("--ca-bundle", str(tmp_path / "nowhere.pem")),
        stdin="alice-token\n",
    )
    assert missing.returncode == 2
    assert "nowhere.pem" in missing.stderr
    assert "Traceback" not in missing.stderr
    bundle = tmp_path / "company-ca.pem"
    shutil.copy(certifi.where(), bundle)
    signed_in = run(
        tmp_path,
        *("login", "--url", site.base_url, "--email", ALICE.email, "--token-stdin"),
        *("--ca-bundle", str(bundle)),
        stdin="alice-token\n",
    )
    assert signed_in.returncode == 0, signed_in.stderr
    second = run(
        tmp_path,
        *("login", "--url", other_site.base_url, "--email", BEA.email, "--name", "second"),
        *("--token-stdin",),
        stdin="bea-token\n",
    )
    assert second.returncode == 0, second.stderr
    run(
        tmp_path,
        "log",
        "PROJ-2",
        "1h",
        "--date",
        "2026-03-05",
        "--start",
        "11:00",
        "--account",
        "second",
    )
    bundle.unlink()  # the path kept with the site now names nothing: say so, do not crash
    run(tmp_path, "log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", "09:00")
    sync = run(tmp_path, "sync")
    assert sync.returncode == 3
    assert "company-ca.pem" in sync.stdout
    assert "Traceback" not in sync.stderr
    assert site.count("POST") == 0
    assert len(other_site.worklogs_of("PROJ-2")) == 1  # the bundle belongs to the first site only


# -- a damaged disk --------------------------------------------------------------------------

DAY_2026_03_02 = 1772409600  # 2026-03-02T00:00Z


def _damaged_database(data: Path) -> bytes:
    """300 entries on 2026-03-02, then pages in the middle of the file overwritten."""
    from clockwork_desktop.infra.db.database import open_database

    opened = open_database(data)
    for i in range(300):
        opened.conn.execute(
            "INSERT INTO entries (uuid, issue_key, start_utc, end_utc, tz, sync_state, comment)"
            " VALUES (?, ?, ?, ?, 'UTC', 'pending', ?)",
            (
                f"u{i}",
                f"A-{i + 1}",
                DAY_2026_03_02 + i * 60,
                DAY_2026_03_02 + i * 60 + 30,
                "x" * 300,
            ),
        )
    opened.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    opened.conn.close()
    path = data / "clockwork.db"
    pages = bytearray(path.read_bytes())
    for offset in range(4096 * 8, 4096 * 11):
        pages[offset] = 0xA5
    path.write_bytes(bytes(pages))
    return bytes(pages)


def test_a_damaged_page_is_moved_aside_and_readable_rows_recovered(tmp_path: Path) -> None:
    damaged = _damaged_database(tmp_path / "data")
    day = ("--date", "2026-03-02", "--json")
    first = run(tmp_path, "entries", *day)
    assert first.returncode == 1
    assert "damaged" in first.stderr
    assert "Traceback" not in first.stderr
    second = run(tmp_path, "entries", *day)
    assert second.returncode == 0, second.stderr
    assert "moved to" in second.stderr
    assert "recovered" in second.stderr
    recovered = json.loads(second.stdout)
    assert 0 < len(recovered) <= 300
    for entry in recovered:  # whole rows, not fragments
        assert entry["uuid"] == f"u{int(entry['issue_key'][2:]) - 1}"
    (aside,) = (tmp_path / "data").glob("clockwork.db.corrupt-*[0-9Z]")
    assert aside.read_bytes() == damaged  # kept exactly as it was
    assert run(tmp_path, "log", "A-1", "1h", "--date", "2026-03-03").returncode == 0
