"""Automatic timers against the fake Jira over real HTTP, driven by a fake clock."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.services.nudges import CollectingNotifier
from tests.conftest import FakeClock
from tests.support.jira import login, make_app, seed, work_every_hour

pytestmark = pytest.mark.usefixtures("memory_keyring")


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class Site:
    def __init__(self, jira: FakeJira, app: AppServices, clock: FakeClock) -> None:
        self.jira, self.app, self.clock = jira, app, clock
        self.notes = CollectingNotifier()
        app.auto_timers.notifier = app.nudges.notifier = self.notes

    def move(
        self, key: str, status: str, minutes_ago: float = 0, by: str = "acc-alice"
    ) -> datetime:
        at = self.clock.now() - timedelta(minutes=minutes_ago)
        self.jira.move(key, status, by=by, at_ms=ms(at))
        return at

    def poll(self) -> tuple[int, object]:
        before = len(self.jira.requests)
        report = self.app.auto_timers.poll()
        return len(self.jira.requests) - before, report

    def running_key(self) -> str | None:
        running = self.app.tracker.running()
        return running.issue_key if running else None


def _site(tmp_path: Path, mode: str, start: datetime) -> Iterator[Site]:
    clock = FakeClock(start)
    with FakeJira(mode) as jira:
        seed(jira)
        jira.now_ms = lambda: ms(clock.now())
        app = make_app(tmp_path / "data", clock)
        login(app, jira, dc=mode == "dc")
        name = "dc" if mode == "dc" else "cloud"
        app.preferences.set_jira(name, True)
        yield Site(jira, app, clock)
        app.close()


MONDAY_10 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from _site(tmp_path, "cloud", MONDAY_10)


@pytest.fixture(params=["cloud", "dc"])
def any_site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    yield from _site(tmp_path, request.param, MONDAY_10)


def test_a_day_of_transitions_starts_and_stops_at_the_changelog_times(any_site: Site) -> None:
    s = any_site
    s.clock.advance(minutes=5)
    count, _ = s.poll()
    assert count == 1  # nothing changed: one search
    moved = s.move("PROJ-2", "In Progress", minutes_ago=0.5)
    s.clock.advance(minutes=1)
    s.poll()
    running = s.app.tracker.running()
    assert running is not None
    assert running.issue_key == "PROJ-2"
    assert running.started_at == moved.replace(microsecond=0)  # the transition, not the poll
    for _ in range(30):  # half an hour of idle polls, one request each
        s.clock.advance(minutes=1)
        count, _ = s.poll()
        assert count == 1
    s.move("PROJ-2", "In Review", minutes_ago=0.2)  # still an In Progress category
    s.clock.advance(minutes=1)
    s.poll()
    assert s.running_key() == "PROJ-2"
    done = s.move("PROJ-2", "Done", minutes_ago=0.7)
    s.clock.advance(minutes=3)
    s.poll()
    assert s.running_key() is None
    entry = s.app.tracker.entries(done.date(), done.date())[-1].entry
    assert entry.ended_at == done.replace(microsecond=0)
    history = s.app.entry_sources([entry.uuid])[entry.uuid]
    assert [h["event"] for h in history] == ["start", "stop"]
    assert history[0]["by"] == "Alice Example"
    assert history[1]["changed"]["status"] == "Done"
    shown = {title: message for title, message, _ in s.notes.shown}
    assert shown["Started PROJ-2"].startswith("PROJ-2 moved to In Progress by Alice Example at ")
    assert shown["Stopped PROJ-2"].startswith("PROJ-2 moved to Done by Alice Example at ")


def test_changes_missed_in_sleep_are_replayed_in_order(site: Site) -> None:
    s = site
    s.poll()
    start = s.clock.now()
    s.jira.move("PROJ-1", "In Progress", by="acc-bob", at_ms=ms(start + timedelta(minutes=10)))
    s.jira.move("PROJ-1", "Done", by="acc-bob", at_ms=ms(start + timedelta(minutes=50)))
    s.jira.move("PROJ-2", "In Progress", by="acc-alice", at_ms=ms(start + timedelta(minutes=70)))
    s.clock.advance(hours=3)  # the laptop slept through all of it
    _, report = s.poll()
    entries = [v.entry for v in s.app.tracker.entries(start.date(), start.date())]
    assert [
        (e.issue_key, e.started_at - start, e.ended_at and e.ended_at - start) for e in entries
    ] == [
        ("PROJ-1", timedelta(minutes=10), timedelta(minutes=50)),
        ("PROJ-2", timedelta(minutes=70), None),
    ]
    assert report.started == ["PROJ-1", "PROJ-2"]  # type: ignore[attr-defined]
    count, _ = s.poll()
    assert count == 1  # replayed once, never again


def test_reassigned_issue_stops_at_the_reassignment(site: Site) -> None:
    s = site
    s.move("PROJ-2", "In Progress", minutes_ago=0)
    s.clock.advance(minutes=1)
    s.poll()
    s.clock.advance(minutes=20)
    at = s.clock.now()
    s.jira.assign("PROJ-2", "acc-bob", by="acc-bob", at_ms=ms(at))
    s.clock.advance(minutes=2)
    s.poll()
    assert s.running_key() is None
    entry = s.app.tracker.entries(at.date(), at.date())[-1].entry
    assert entry.ended_at == at


def test_status_names_and_ask_before_switching(site: Site) -> None:
    s = site
    s.app.preferences.set_active_statuses(["In Review"])
    s.app.tracker.start("OPS-7")
    s.move("PROJ-2", "In Progress")  # not listed: nothing happens
    s.clock.advance(minutes=1)
    s.poll()
    assert s.running_key() == "OPS-7"
    s.move("PROJ-2", "In Review")
    s.clock.advance(minutes=1)
    s.poll()
    assert s.running_key() == "OPS-7"  # another timer runs and the setting says ask
    [offer] = s.app.auto_timers.offers
    assert offer.label == "Switch to PROJ-2"
    s.app.auto_timers.accept(offer)
    assert s.running_key() == "PROJ-2"


def test_switch_setting_switches(site: Site) -> None:
    s = site
    s.app.preferences.choose("on_conflict", "switch")
    s.app.tracker.start("OPS-7", at=s.clock.now())
    s.clock.advance(minutes=10)
    moved = s.move("PROJ-1", "In Progress", minutes_ago=1)
    s.poll()
    assert s.running_key() == "PROJ-1"
    ops = s.app.tracker.entries(moved.date(), moved.date())[0].entry
    assert ops.ended_at == moved


def test_working_hours_end_and_next_working_day_across_dst(tmp_path: Path) -> None:
    friday_1530 = datetime(2026, 3, 27, 14, 30, tzinfo=UTC)  # 15:30 CET; DST starts Sunday
    for s in _site(tmp_path, "cloud", friday_1530):
        s.move("PROJ-2", "In Progress")
        s.clock.advance(minutes=1)
        s.poll()
        assert s.running_key() == "PROJ-2"
        while s.clock.now() < datetime(2026, 3, 27, 17, 0, tzinfo=UTC):
            s.clock.advance(minutes=1)
            s.poll()
        assert s.running_key() is None
        friday = s.app.tracker.entries(friday_1530.date(), friday_1530.date())[0].entry
        assert friday.ended_at == datetime(2026, 3, 27, 16, 0, tzinfo=UTC)  # 17:00 CET
        title, _, actions = s.notes.shown[-1]
        assert title == "Stopped PROJ-2 at 17:00"
        assert actions == ("Resume",)
        # The weekend passes (polls every 10 minutes); no timer starts on Saturday or Sunday.
        while s.clock.now() < datetime(2026, 3, 30, 6, 50, tzinfo=UTC):  # to Monday 08:50 CEST
            s.clock.advance(minutes=10)
            s.poll()
            assert s.running_key() is None
        s.clock.set(datetime(2026, 3, 30, 7, 0, 30, tzinfo=UTC))  # 09:00 in summer time
        s.poll()
        running = s.app.tracker.running()
        assert running is not None
        assert running.issue_key == "PROJ-2"
        assert running.started_at - datetime(2026, 3, 30, 7, 0, tzinfo=UTC) <= timedelta(minutes=1)
        sources = s.app.entry_sources([running.uuid])[running.uuid]
        assert sources[0]["kind"] == "hours"


def test_a_transition_outside_working_hours_waits_for_them(tmp_path: Path) -> None:
    evening = datetime(2026, 3, 9, 19, 0, tzinfo=UTC)  # 20:00 in Berlin
    for s in _site(tmp_path, "cloud", evening):
        s.move("PROJ-1", "In Progress")
        s.clock.advance(minutes=1)
        s.poll()
        assert s.running_key() is None
        s.clock.set(datetime(2026, 3, 10, 8, 1, tzinfo=UTC))  # Tuesday 09:01
        s.poll()
        assert s.running_key() == "PROJ-1"


def test_starting_on_a_to_do_issue_moves_it_to_in_progress(site: Site) -> None:
    s = site
    s.app.preferences.choose("transition", "offer")
    s.app.tracker.start("PROJ-1")
    offer = s.app.auto_timers.after_manual_start("PROJ-1", "cloud")
    assert offer is not None
    assert offer.label == "Move PROJ-1 to In Progress"
    assert s.jira.issues["PROJ-1"].status == "To Do"
    s.app.auto_timers.accept(offer)
    assert s.jira.issues["PROJ-1"].status == "In Progress"
    s.app.preferences.choose("transition", "perform")
    s.app.tracker.start("PROJ-2")
    s.app.auto_timers.after_manual_start("PROJ-2", "cloud")
    assert s.jira.issues["PROJ-2"].status == "In Progress"
    assert s.app.auto_timers.after_manual_start("PROJ-2", "cloud") is None  # already in progress


def test_cli_auto_commands(tmp_path: Path) -> None:
    from tests.integration.test_cli_jira import run, try_login

    with FakeJira("cloud") as jira:
        seed(jira)
        assert try_login(tmp_path, jira, "alice-token").returncode == 0
        work_every_hour(tmp_path / "data")
        assert run(tmp_path, "auto", "on").returncode == 0
        # Half a minute ago (after `auto on`, inside its look-back): the entry is not empty.
        jira.move("PROJ-2", "In Progress", by="acc-alice", at_ms=jira.now_ms() - 30_000)
        polled = run(tmp_path, "auto", "poll")
        assert "Started PROJ-2." in polled.stdout, polled.stderr
        import json

        status = json.loads(run(tmp_path, "status", "--json").stdout)
        assert status["running"]["issue_key"] == "PROJ-2"
        assert status["running"]["auto"] is True
        jira.move("PROJ-2", "Done", by="acc-bob")
        assert "Stopped PROJ-2." in run(tmp_path, "auto", "poll").stdout
        entries = json.loads(run(tmp_path, "entries", "--json").stdout)
        assert [e["event"] for e in entries[-1]["source"]] == ["start", "stop"]
        assert entries[-1]["source"][1]["by"] == "Bob Builder"
        shown = run(tmp_path, "auto", "status").stdout
        assert "jira: {'127.0.0.1': True}" in shown


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def new_repo(repo: Path) -> Path:
    """A git repository on `main` with one commit."""
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(
        repo,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@e",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    return repo


def test_branch_switch_in_a_real_repository_offers_and_switches(site: Site, tmp_path: Path) -> None:
    s = site
    repo = new_repo(tmp_path / "repo")
    s.app.preferences.add_repo(str(repo))
    assert (
        s.app.auto_timers.poll_branches(force=True) is None
    )  # the first look only learns the branch
    git(repo, "checkout", "-q", "-b", "PROJ-7-fix-login")
    assert s.app.auto_timers.poll_branches(force=True) == "PROJ-7"
    assert s.app.auto_timers.suggested_issue() == "PROJ-7"
    assert s.app.auto_timers.offers[-1].label == "Start PROJ-7 (branch PROJ-7-fix-login)"
    assert s.running_key() is None  # "suggest" only offers
    s.app.preferences.choose("branch", "switch")
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feature/proj-9-x", str(worktree))
    assert (worktree / ".git").is_file()  # a worktree's .git is a file pointing at its gitdir
    s.app.preferences.add_repo(str(worktree))
    s.app.auto_timers.poll_branches(force=True)
    git(worktree, "checkout", "-q", "-b", "PROJ-11-speed")
    assert s.app.auto_timers.poll_branches(force=True) == "PROJ-11"
    running = s.app.tracker.running()
    assert running is not None
    assert running.issue_key == "PROJ-11"
    why = s.app.entry_sources([running.uuid])[running.uuid][0]
    assert why["kind"] == "branch"
    assert why["branch"] == "PROJ-11-speed"


def test_auto_poll_shows_a_hostile_branch_name_visibly(tmp_path: Path) -> None:
    from tests.integration.test_cli_jira import run
    from tests.support.hostile import unsafe_for_terminals

    repo = new_repo(tmp_path / "repo")
    assert run(tmp_path, "auto", "repos", "add", str(repo)).returncode == 0
    assert run(tmp_path, "auto", "poll").returncode == 0  # the first look learns the branch
    # Git refuses ASCII controls in a branch name, but not C1 controls or bidi overrides.
    git(repo, "checkout", "-q", "-b", "PROJ-7-\u202eevil\u009b2J")
    polled = run(tmp_path, "auto", "poll")
    assert polled.returncode == 0, polled.stderr
    assert unsafe_for_terminals(polled.stdout + polled.stderr) == []
    assert "PROJ-7-\\u202eevil\\x9b2J" in polled.stdout


def test_auto_repos_add_with_an_unknown_user_says_so(tmp_path: Path) -> None:
    from tests.integration.test_cli_jira import run

    result = run(tmp_path, "auto", "repos", "add", "~nosuchuser-cw/x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "~nosuchuser-cw" in result.stderr
    assert "no user" in result.stderr


class _Held:
    """Holds the fake's answers to matching requests until released (the test's "slow Jira"):
    the request has arrived (``arrived`` is set) and waits, provably, on ``release``."""

    def __init__(self, jira: FakeJira, path: str) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        take = jira.take_fault

        def holding(method: str, request_path: str) -> object:
            if path in request_path:
                self.arrived.set()
                self.release.wait()
            return take(method, request_path)

        jira.take_fault = holding  # type: ignore[method-assign]


def test_the_minute_check_never_waits_for_a_poll_that_waits_on_jira(site: Site) -> None:
    """The poll waits on Jira's search; tick (and a timer started meanwhile) finish anyway."""
    s = site
    s.app.tracker.start("PROJ-1")
    held = _Held(s.jira, "/search")
    poller = threading.Thread(target=s.app.auto_timers.poll, daemon=True)
    poller.start()
    try:
        assert held.arrived.wait(10)

        def minute_check() -> None:
            s.app.auto_timers.tick()
            s.app.nudges.tick()

        ticker = threading.Thread(target=minute_check, daemon=True)
        ticker.start()
        ticker.join(timeout=10)
        assert not ticker.is_alive(), "tick waited for the poll's network read"
        s.app.tracker.start("PROJ-2")  # a tray action meanwhile
        assert poller.is_alive()  # the poll was still waiting on Jira all along
        assert s.running_key() == "PROJ-2"
    finally:
        held.release.set()
        poller.join(timeout=10)
    assert not poller.is_alive()


def test_a_changelog_that_never_ends_stops_at_the_polls_time_budget(site: Site) -> None:
    """Every changelog page costs half the budget (the clock says so): the poll stops
    paging, says why, and keeps its cursor so that the next poll reads again."""
    from clockwork_desktop.services.auto_timers import POLL_BUDGET_S

    s = site
    for n in range(260):  # three pages of changes
        s.move("PROJ-2", "In Progress" if n % 2 else "To Do", minutes_ago=1 - n / 300)
    s.clock.advance(minutes=1)
    cursor_before = s.app.store.get_setting("auto:cursor:cloud")
    pages: list[str] = []
    take = s.jira.take_fault

    def slow(method: str, path: str) -> object:
        if path.endswith("/changelog"):
            pages.append(path)
            s.clock._mono += POLL_BUDGET_S / 2 + 1  # monotonic time only: Jira is slow
        return take(method, path)

    s.jira.take_fault = slow  # type: ignore[method-assign]
    _count, report = s.poll()
    assert len(pages) == 2  # of three: the budget was spent after the second
    assert any("time allowed for one poll was spent" in e for e in report.errors)  # type: ignore[attr-defined]
    assert s.app.store.get_setting("auto:cursor:cloud") == cursor_before
    assert s.running_key() is None


def _offering_moves(tmp_path: Path, jira: FakeJira) -> None:
    """Signed in through the CLI, with `auto transition offer` chosen."""
    from tests.integration.test_cli_jira import run, try_login

    seed(jira)
    assert try_login(tmp_path, jira, "alice-token").returncode == 0
    assert run(tmp_path, "auto", "transition", "offer").returncode == 0


def test_cli_start_offers_the_move_to_in_progress_and_move_makes_it(tmp_path: Path) -> None:
    from tests.integration.test_cli_jira import run

    with FakeJira("cloud") as jira:
        _offering_moves(tmp_path, jira)
        started = run(tmp_path, "start", "PROJ-1")
        assert started.returncode == 0, started.stderr
        assert "Started PROJ-1" in started.stdout
        assert "Move PROJ-1 to In Progress?" in started.stdout
        assert "clockwork-desktop start PROJ-1 --move" in started.stdout
        assert jira.issues["PROJ-1"].status == "To Do"  # offered, not done
        moved = run(tmp_path, "start", "PROJ-1", "--move")
        assert moved.returncode == 0, moved.stderr
        assert "PROJ-1 is already running" in moved.stdout  # the timer is kept whole
        assert "Moved PROJ-1 to In Progress." in moved.stdout
        assert jira.issues["PROJ-1"].status == "In Progress"
        again = run(tmp_path, "start", "PROJ-1")
        assert "Move" not in again.stdout  # in progress now: nothing to offer


def test_cli_start_runs_the_timer_when_jira_cannot_be_asked(tmp_path: Path) -> None:
    from tests.integration.test_cli_jira import run

    with FakeJira("cloud") as jira:
        _offering_moves(tmp_path, jira)
    # The fake Jira is gone: the start is kept and the missing offer explained.
    started = run(tmp_path, "start", "PROJ-1")
    assert started.returncode == 0, started.stderr
    assert "Started PROJ-1" in started.stdout
    assert "Jira could not be asked about moving PROJ-1" in started.stdout
    status = run(tmp_path, "status")
    assert "PROJ-1" in status.stdout


def test_a_damaged_cursor_starts_afresh_instead_of_failing_every_poll(site: Site) -> None:
    """A cursor row that lost its shape (a hand edit, a damaged value) reads as none: the poll
    starts from now, as when the account was turned on, and writes a good cursor."""
    s = site
    s.app.store.set_setting("auto:cursor:cloud", {"polled": "yesterday", "seen": {}})
    _count, report = s.poll()
    assert report.errors == []  # type: ignore[attr-defined]
    assert s.app.store.get_setting("auto:cursor:cloud")["polled"] == s.clock.now().isoformat()
    s.move("PROJ-2", "In Progress", minutes_ago=0.5)
    s.clock.advance(minutes=1)
    s.poll()
    assert s.running_key() == "PROJ-2"  # and the timers work again from there
