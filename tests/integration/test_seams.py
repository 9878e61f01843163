"""The seams test: every feature at once, against one fake Jira in its own process.

A hypothesis state machine drives the real services (store on a real SQLite file, tracker,
sync with reconcile, conflicts, the automatic-timer poll, backups, accounts) the way the tray
calls them, and the real CLI in subprocesses (`log`, `edit`, `delete`, `sync`, `restore`),
interleaved with what happens in Jira meanwhile: the user editing and deleting her worklogs
there and logging some by hand, a colleague logging, editing and deleting his own, faults
(503, reset, "saved, then the answer dropped"), a CLI `sync` killed with SIGKILL while Jira
holds its write, backups and restores, signing in again, automatic polls.

After every step (see ``Seams.check``):
- every synced entry equals its worklog in Jira: issue, `started` to the second, seconds,
  comment (the expected worklog is computed here, not by the app's own planning);
- no entry-day has two worklogs, and no worklog of ours is unaccounted for (time invented);
- no worklog of anyone else was created, changed or deleted, and nothing tried to write one;
- no second lost or invented: the store's entries are exactly the model's ledger of what the
  user logged, edited, deleted and chose; when the machine settles (and at the end) Jira holds
  exactly the ledger's worklogs;
- entry ids are never reused.

Budget: a short run in CI (``CI_EXAMPLES`` runs of ``CI_STEPS`` steps per variant, a few
seconds each); ``CLOCKWORK_SEAMS_LONG=1`` runs ``LONG_EXAMPLES`` of ``LONG_STEPS`` (minutes).
Both are derandomized and keep no example database, so a run is the same on every machine and
CI never flakes. Each variant prints the steps run and invariants checked at its end.

Every rule is on: a restore of a backup whose pending entries reached Jira since (each is
looked up, never posted twice), signing in again as another person (refused), ids (never
given out twice, across deletes and restores).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import keyring
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.models import Entry, SyncState
from clockwork_desktop.fakejira import FakeJira, Fault
from tests.conftest import FakeClock
from tests.support.jira import make_app
from tests.support.jira_process import JiraProcess
from tests.support.memkeyring import FileKeyring

ROOT = Path(__file__).resolve().parents[2]
LONG = os.environ.get("CLOCKWORK_SEAMS_LONG") == "1"


ZONE = ZoneInfo("Europe/Berlin")
ALICE, BOB = "acc-alice", "acc-bob"
ISSUES = ["PROJ-1", "PROJ-2", "PROJ-3"]


def _last_monday() -> datetime:
    """12:00 UTC on the last Monday before today: the CLI runs on the real clock, so the
    app's and the site's follow it closely (within the feeds' first look back of 14 days)."""
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday() or 7)
    return datetime.combine(monday, time(12, 0), UTC)


START = _last_monday()  # the app's clock starts here, the site's follows it
FIRST_DAY = START.date() - timedelta(days=7)  # slots are on Monday to Friday before
COMMENTS = ["", "standup", "review notes", "Ünïcode ✓ done"]
DURATIONS_S = [45, 60, 61, 600, 907, 1800]  # 45 s is under Jira's minimum: never sent
STATS: dict[str, Counter[str]] = {}
CI_EXAMPLES, CI_STEPS = 8, 30
LONG_EXAMPLES, LONG_STEPS = 30, 100


@dataclass(frozen=True)
class Held:
    """What the user holds for one entry (the ledger's line)."""

    issue: str
    start: datetime
    end: datetime | None
    comment: str

    def worklog(self) -> tuple[str, int, int, str] | None:
        """The one worklog Jira should hold for it: (issue, started s, seconds, comment).

        No rounding is set and no slot crosses midnight, so one worklog per entry, or none
        for a running timer or one under Jira's minute.
        """
        if self.end is None:
            return None
        seconds = int((self.end - self.start).total_seconds())
        if seconds < 60:
            return None
        return (self.issue, int(self.start.timestamp()), seconds, self.comment)


def slot(n: int) -> tuple[date, time]:
    """A start never used before: 35 minutes apart, longer than any entry."""
    day = FIRST_DAY + timedelta(days=n % 5)
    minutes = 6 * 60 + (n // 5) * 35
    return day, time(minutes // 60, minutes % 60)


def utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, ZONE).astimezone(UTC)


def cli_env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TZ": "Europe/Berlin",
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.support.memkeyring.FileKeyring",
        "TEST_KEYRING_FILE": str(home / "keyring.json"),
        "HOME": str(home),
    }


class Seams(RuleBasedStateMachine):
    mode: ClassVar[str] = "cloud"
    properties: ClassVar[str] = "accept"
    switches: ClassVar[dict[str, Any]] = {}
    name: ClassVar[str] = "cloud"

    def __init__(self) -> None:
        super().__init__()
        self.stats = STATS.setdefault(self.name, Counter())
        self.stats["examples"] += 1
        self.home = Path(tempfile.mkdtemp(prefix="seams-"))
        self.data = self.home / "data"
        self.previous_keyring = keyring.get_keyring()
        keyring.set_keyring(FileKeyring(self.home / "keyring.json"))
        self.site = JiraProcess(self.mode, self.properties, **self.switches).__enter__()
        self.clock = FakeClock(START)
        self._advance()
        self.account = "dc" if self.mode == "dc" else "cloud"
        self.app = self._open()
        self._login("alice")
        self.app.preferences.set_jira(self.account, True)
        self.ledger: dict[str, Held] = {}  # uuid -> what the user holds
        self.ids: dict[int, str] = {}  # every entry id seen -> its uuid
        self.next_slot = 0
        self.running: str | None = None  # uuid of the running timer
        self.touched: set[str] = set()  # uuids whose worklog changed in Jira since a sync
        self.others: dict[int, dict[str, Any]] = {}  # Bob's worklogs, as the model made them
        self.hand: dict[int, dict[str, Any]] = {}  # Alice's, logged by hand in Jira
        self.leftovers: set[int] = set()  # ours that a restore left in Jira, unknown here
        # Ours that a restored entry wants exactly as they are: found by the next whole sync.
        self.adoptable: set[int] = set()
        self.backups: dict[str, dict[str, Any]] = {}  # name -> the model when it was taken
        self.moves: list[tuple[str, datetime]] = []  # issues Alice moved to In Progress, when
        self.signed_in_as = "alice"
        self._issue_keys: dict[int, str] = self._snapshot()["issue_keys"]

    # -- plumbing ---------------------------------------------------------------------------

    def _advance(self, **delta: float) -> None:
        """Move the app's clock and the site's together (Jira's stamps follow its own)."""
        self.clock.advance(**delta)
        self.site.set_clock(int(self.clock.now().timestamp() * 1000))

    def _open(self) -> AppServices:
        app = make_app(self.data, self.clock)
        app.sync._write_interval_s = 0.0
        return app

    def _login(self, who: str) -> None:
        token = f"{who}-token"
        if self.mode == "dc":
            self.app.accounts.login(self.site.base_url, token, name=self.account)
        else:
            email = f"{who}@example.com"
            self.app.accounts.login(self.site.base_url, token, email=email, name=self.account)

    def teardown(self) -> None:
        try:
            if sys.exc_info()[1] is None and self.signed_in_as == "alice":
                self._settle()  # the end of every run: Jira holds exactly the ledger
        finally:
            self.app.close()
            self.site.close()
            keyring.set_keyring(self.previous_keyring)
            shutil.rmtree(self.home, ignore_errors=True)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.stats["cli runs"] += 1
        try:
            return subprocess.run(
                [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(self.data), *args],
                capture_output=True,
                text=True,
                timeout=60,
                env=cli_env(self.home),
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"`{' '.join(args)}` hung: {exc.stderr!r}") from None

    def _fresh(self) -> tuple[date, time]:
        self.next_slot += 1
        return slot(self.next_slot)

    def _entries(self) -> list[Entry]:
        return self.app.store.all_entries()

    def _live(self) -> list[Entry]:
        return [
            e
            for e in self._entries()
            if not e.deleted and e.sync_state is not SyncState.REMOTE and e.uuid in self.ledger
        ]

    def _stopped(self, pick: int) -> Entry | None:
        """One of the user's entries that is not running, or None."""
        entries = sorted((e for e in self._live() if not e.running), key=lambda e: e.id)
        return entries[pick % len(entries)] if entries else None

    def _hold(self, entry: Entry) -> None:
        self.ledger[entry.uuid] = Held(
            entry.issue_key, entry.started_at, entry.ended_at, entry.comment
        )

    def _snapshot(self) -> dict[str, Any]:
        return self.site.snapshot()

    def _sync(self) -> Any:
        report = self.app.sync.sync()
        self.stats["syncs"] += 1
        if report.ok and not report.errors:
            self._synced_cleanly()
        return report

    def _synced_cleanly(self) -> None:
        """A whole sync ran: every change made in Jira before it has been seen, and every
        worklog a restored entry wants has been found."""
        self.touched.clear()
        self.adoptable.clear()

    # -- the user, tray-style ---------------------------------------------------------------

    @rule(
        issue=st.sampled_from(ISSUES),
        seconds=st.sampled_from(DURATIONS_S),
        comment=st.sampled_from(COMMENTS),
    )
    def log(self, issue: str, seconds: int, comment: str) -> None:
        day, at = self._fresh()
        entry = self.app.tracker.log_time(issue, seconds, day=day, start_time=at, comment=comment)
        self._hold(entry)

    @precondition(lambda self: self.ledger)
    @rule(
        pick=st.integers(0, 50),
        seconds=st.sampled_from([None, *DURATIONS_S]),
        comment=st.sampled_from([None, *COMMENTS]),
        move=st.booleans(),
        issue=st.sampled_from([None, *ISSUES]),
    )
    def edit(
        self, pick: int, seconds: int | None, comment: str | None, move: bool, issue: str | None
    ) -> None:
        entry = self._stopped(pick)
        if entry is None:
            return
        start = utc(*self._fresh()) if move else None
        if start is not None and seconds is None:
            seconds = int((entry.ended_at - entry.started_at).total_seconds())  # type: ignore[operator]
        try:
            edited = self.app.tracker.edit(
                entry.id, issue_key=issue, start=start, seconds=seconds, comment=comment
            )
        except ClockworkError:  # e.g. an end in the future: refused, nothing changed
            self.stats["refused"] += 1
            return
        self._hold(edited)

    @precondition(lambda self: self.ledger)
    @rule(pick=st.integers(0, 50))
    def delete(self, pick: int) -> None:
        entry = self._stopped(pick)
        if entry is None:
            return
        self.app.tracker.delete(entry.id)
        del self.ledger[entry.uuid]

    def _working(self) -> bool:
        """Inside working hours, with time to spare: automatic timers count only then, and
        no timer runs past midnight (one worklog per entry)."""
        local = self.clock.now().astimezone(ZONE)
        return local.weekday() < 5 and 9 <= local.hour < 16

    @precondition(lambda self: self.running is None and not self._working())
    @rule()
    def next_morning(self) -> None:
        local = self.clock.now().astimezone(ZONE)
        day = local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self._advance(seconds=(utc(day, time(9, 30)) - self.clock.now()).total_seconds())

    @precondition(lambda self: self.running is None and self._working())
    @rule(issue=st.sampled_from(ISSUES), minutes=st.integers(1, 20))
    def start_timer(self, issue: str, minutes: int) -> None:
        self._advance(minutes=minutes)
        started = self.app.tracker.start(issue).started
        self._hold(started)
        self.running = started.uuid

    @precondition(lambda self: self.running is not None)
    @rule(minutes=st.integers(0, 40), seconds=st.integers(0, 59))
    def stop_timer(self, minutes: int, seconds: int) -> None:
        self._advance(minutes=minutes, seconds=seconds)
        stopped = self.app.tracker.stop()
        self._hold(stopped)
        self.running = None

    def _tagging_known(self) -> bool:
        """The site's answer to inline properties is known (else a refused try comes first)."""
        if self.mode == "cloud" or self.app.store.get_setting(f"tagging:{self.account}"):
            return True
        return any(e.worklog_ids for e in self._entries())  # a create went through once

    @rule()
    def sync(self) -> None:
        self._sync()

    @rule(
        kind=st.sampled_from(["503", "reset", "drop", "500", "garbage"]),
        method=st.sampled_from(["POST", "PUT", "DELETE", "GET"]),
        times=st.integers(1, 3),
    )
    def sync_with_fault(self, kind: str, method: str, times: int) -> None:
        self.site.inject(Fault(kind, method, "/worklog", retry_after=0, times=times))
        self.stats["faults"] += 1
        self.app.sync.sync()
        self.stats["syncs"] += 1
        self.site.clear_faults()

    @rule(keep=st.booleans(), pick=st.integers(0, 50))
    def resolve(self, keep: bool, pick: int) -> None:
        problems = self.app.conflicts.problems()
        if not problems:
            return
        problem = problems[pick % len(problems)]
        entry = problem.entry
        if entry.sync_state is SyncState.FAILED or (problem.can_retry and not keep):
            self.app.conflicts.retry(entry.id)
        elif keep or not problem.can_take_jiras:
            self.app.conflicts.keep_mine(entry.id)
        else:
            taken = self.app.conflicts.take_jiras(entry.id)
            if taken is None:
                del self.ledger[entry.uuid]
            else:
                self._hold(taken)

    @rule()
    def backup(self) -> None:
        self._advance(minutes=1)
        info = self.app.backup_now()
        entries = self._entries()
        self.backups[info.name] = {
            "ledger": dict(self.ledger),
            "running": self.running,
            "next": {e.uuid for e in entries if e.sync_state is not SyncState.SYNCED},
            "moves": len(self.moves),
        }

    @rule(again=st.booleans())
    def sign_in_again(self, again: bool) -> None:
        """The same person signs in again (a new token, the same one): nothing changes."""
        before = self.app.store.account(self.account)
        self._login("alice")
        after = self.app.store.account(self.account)
        assert after is not None
        assert before is not None
        assert after.account_id == before.account_id

    @rule()
    def sign_in_as_bob(self) -> None:
        """Bob's token under Alice's account name: refused, or kept apart from her work."""
        try:
            self._login("bob")
        except Exception:
            self.stats["re-login refused"] += 1
            return
        self.signed_in_as = "bob"
        self.app.sync.sync()  # the dangerous moment: Alice's edits and deletes are queued
        self.check()  # nothing of Alice's was touched with Bob's token
        self._login("alice")
        self.signed_in_as = "alice"

    # -- the user, in Jira ------------------------------------------------------------------

    def _synced_worklog(self, pick: int) -> tuple[Entry, int] | None:
        snapshot = self._snapshot()["worklogs"]
        candidates = [
            (e, int(wid))
            for e in self._live()
            if e.sync_state is SyncState.SYNCED
            for wid in e.worklog_ids.values()
            if int(wid) in snapshot
        ]
        if not candidates:
            return None
        return sorted(candidates, key=lambda c: c[1])[pick % len(candidates)]

    @rule(
        pick=st.integers(0, 50), seconds=st.sampled_from([None, 120, 3000]), comment=st.booleans()
    )
    def edit_in_jira(self, pick: int, seconds: int | None, comment: bool) -> None:
        found = self._synced_worklog(pick)
        if found is None:
            return
        entry, wid = found
        changes: dict[str, Any] = {"seconds": seconds} if seconds else {}
        if comment or not changes:
            changes["comment"] = self.site.comment_for_storage("changed in Jira")
        self.site.edit_worklog(wid, **changes)
        self.touched.add(entry.uuid)

    @rule(pick=st.integers(0, 50))
    def delete_in_jira(self, pick: int) -> None:
        found = self._synced_worklog(pick)
        if found is None:
            return
        entry, wid = found
        self.site.delete_worklog(wid)
        self.touched.add(entry.uuid)

    @rule(issue=st.sampled_from(ISSUES), seconds=st.sampled_from([600, 1800]))
    def log_by_hand_in_jira(self, issue: str, seconds: int) -> None:
        start = utc(*self._fresh())
        made = self.site.add_worklog(issue, ALICE, int(start.timestamp() * 1000), seconds, "web")
        self.hand[made.id] = self._snapshot()["worklogs"][made.id]

    # -- a colleague ------------------------------------------------------------------------

    @rule(
        issue=st.sampled_from([*ISSUES, "PROJ-4"]),
        pick=st.integers(0, 50),
        same_time=st.booleans(),
    )
    def colleague_logs(self, issue: str, pick: int, same_time: bool) -> None:
        """Bob logs work, sometimes at the very start and length of one of Alice's entries."""
        held = sorted(
            (h for h in self.ledger.values() if h.worklog()), key=lambda h: h.start.timestamp()
        )
        if same_time and held:
            mine = held[pick % len(held)].worklog()
            assert mine is not None
            issue, started_s, seconds, comment = mine
        else:
            started_s, seconds, comment = int(utc(*self._fresh()).timestamp()), 900, "pairing"
        made = self.site.add_worklog(issue, BOB, started_s * 1000, seconds, comment)
        self.others[made.id] = self._snapshot()["worklogs"][made.id]

    @precondition(lambda self: self.others)
    @rule(pick=st.integers(0, 50), delete=st.booleans())
    def colleague_changes(self, pick: int, delete: bool) -> None:
        wid = sorted(self.others)[pick % len(self.others)]
        if delete:
            self.site.delete_worklog(wid)
            del self.others[wid]
        else:
            self.site.edit_worklog(wid, seconds=self.others[wid]["seconds"] + 60)
            self.others[wid] = self._snapshot()["worklogs"][wid]

    # -- automatic timers -------------------------------------------------------------------

    @precondition(lambda self: self.running is None and self._working())
    @rule(issue=st.sampled_from(["PROJ-1", "PROJ-2"]))
    def automatic_poll(self, issue: str) -> None:
        """Alice moves an issue to In Progress in Jira; the next poll starts its timer there."""
        self._advance(minutes=2)
        moved = self.clock.now() - timedelta(seconds=30)
        self.site.move(issue, "To Do", by=ALICE, at_ms=int((moved.timestamp() - 1) * 1000))
        self.site.move(issue, "In Progress", by=ALICE, at_ms=int(moved.timestamp() * 1000))
        self._advance(minutes=1)
        report = self.app.auto_timers.poll()
        self.stats["polls"] += 1
        running = self.app.tracker.running()
        assert running is not None, f"the poll started no timer: {report}"
        assert (running.issue_key, running.started_at) == (issue, moved.replace(microsecond=0))
        self._hold(running)
        self.running = running.uuid
        self.moves.append((issue, moved.replace(microsecond=0)))

    # -- the CLI, in subprocesses -----------------------------------------------------------

    @rule(
        issue=st.sampled_from(ISSUES),
        seconds=st.sampled_from(DURATIONS_S),
        comment=st.sampled_from(COMMENTS),
    )
    def cli_log(self, issue: str, seconds: int, comment: str) -> None:
        day, at = self._fresh()
        result = self.cli(
            "log", issue, f"0:{seconds // 60:02d}:{seconds % 60:02d}", "--date",
            day.isoformat(), "--start", f"{at:%H:%M}", "--comment", comment,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        start = utc(day, at)
        (entry,) = [e for e in self._entries() if e.started_at == start and not e.deleted]
        self._hold(entry)

    @precondition(lambda self: self.ledger)
    @rule(pick=st.integers(0, 50), seconds=st.sampled_from(DURATIONS_S), comment=st.booleans())
    def cli_edit(self, pick: int, seconds: int, comment: bool) -> None:
        entry = self._stopped(pick)
        if entry is None:
            return
        change = (
            ["--comment", "from the shell"]
            if comment
            else ["--duration", f"0:{seconds // 60:02d}:{seconds % 60:02d}"]
        )
        result = self.cli("edit", str(entry.id), *change)
        if result.returncode != 0:  # refused (an end in the future): said so, nothing changed
            assert "Traceback" not in result.stderr
            assert result.stderr.startswith("clockwork-desktop: "), result.stderr
            self.stats["refused"] += 1
            return
        edited = self.app.store.get(entry.id)
        assert edited is not None
        self._hold(edited)

    @precondition(lambda self: self.ledger)
    @rule(pick=st.integers(0, 50))
    def cli_delete(self, pick: int) -> None:
        entry = self._stopped(pick)
        if entry is None:
            return
        result = self.cli("delete", str(entry.id))
        assert result.returncode == 0, result.stderr
        del self.ledger[entry.uuid]

    @rule()
    def cli_sync(self) -> None:
        result = self.cli("sync", "--json")
        self.stats["syncs"] += 1
        assert result.returncode in (0, 1), result.stderr
        if result.returncode == 0 and '"errors": []' in result.stdout:
            self._synced_cleanly()

    @precondition(lambda self: self.signed_in_as == "alice" and self._tagging_known())
    @rule()
    def cli_sync_killed(self) -> None:
        """A CLI sync is killed while Jira holds the worklog it just posted."""
        creates = [
            e
            for e in self._live()
            if e.sync_state is SyncState.PENDING
            and not e.remote
            and self.ledger[e.uuid].worklog() is not None
        ]
        if not creates:  # nothing to post: nothing to be killed after
            return
        known = set(self._snapshot()["worklogs"])
        self.site.inject(Fault("delay", "POST", "/issue/", seconds=30, times=3))
        proc = subprocess.Popen(
            [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(self.data), "sync"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=cli_env(self.home),
        )
        try:
            posted = self.site.wait_for_new_worklog(known, 30)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            self.site.clear_faults()
        assert posted is not None, "the killed sync posted nothing"
        self.stats["kills"] += 1

    @precondition(lambda self: self.backups and self.running is None)
    @rule(pick=st.integers(0, 50))
    def cli_restore(self, pick: int) -> None:
        names = sorted(set(self.backups) & {b.name for b in self.app.backups.all()})
        if not names:
            return
        name = names[pick % len(names)]
        saved = self.backups[name]
        before = self._entries()
        if saved["running"] is not None:
            return
        self.app.close()
        result = self.cli("restore", name, "--yes")
        self.app = self._open()
        assert result.returncode == 0, result.stderr
        self.stats["restores"] += 1
        # What Jira holds of ours that the restored store cannot know: left there, unless it
        # is exactly what a restored entry wants (then it must be found, never posted again).
        restored = {e.uuid: e for e in self._entries()}
        linked_now = {wid for e in restored.values() for wid in e.worklog_ids.values()}
        wanted = {h.worklog() for h in saved["ledger"].values()}
        snapshot = self._snapshot()["worklogs"]
        for wid in self._ours_in(before, snapshot):
            w = snapshot[wid]
            if str(wid) not in linked_now:
                if self._content(w) in wanted:
                    self.adoptable.add(wid)
                else:
                    self.leftovers.add(wid)
        self.ledger = dict(saved["ledger"])
        self.running = None
        self.touched = set(self.ledger)
        self._replay_moves(self.moves[saved["moves"] :])

    def _replay_moves(self, moves: list[tuple[str, datetime]]) -> None:
        """The restored store has not seen the moves to In Progress made since its backup:
        the first poll replays them from Jira's history, and its timers start at their times."""
        if not moves:
            return
        self.app.auto_timers.poll()
        self.stats["polls"] += 1
        if self.app.tracker.running() is not None:
            self.app.tracker.stop()
        for e in self._entries():
            if e.uuid in self.ledger or e.deleted or e.sync_state is SyncState.REMOTE:
                continue
            assert (e.issue_key, e.started_at) in moves, f"a timer no move explains: {e}"
            self._hold(e)

    def _ours_in(self, entries: list[Entry], worklogs: dict[int, dict[str, Any]]) -> set[int]:
        """The worklogs in Jira that ``entries`` link to or have an unsettled write for."""
        found = {int(wid) for e in entries for wid in e.worklog_ids.values()}
        unsettled = {
            (day.issue, int(day.sent.started.timestamp()))
            for e in entries
            for day in e.remote.values()
            if day.unsettled and day.sent is not None
        }
        found |= {
            wid
            for wid, w in worklogs.items()
            if w["author"] == ALICE
            and (self._issue_keys[w["issue_id"]], w["started_ms"] // 1000) in unsettled
        }
        return found & set(worklogs)

    # -- invariants -------------------------------------------------------------------------

    def _content(self, w: dict[str, Any]) -> tuple[str, int, int, str]:
        keys = self._issue_keys
        return (keys[w["issue_id"]], w["started_ms"] // 1000, w["seconds"], w["comment_text"])

    @invariant()
    def check(self) -> None:
        self.stats["steps"] += 1
        snap = self._snapshot()
        self._issue_keys = snap["issue_keys"]
        assert snap["internal_errors"] == [], "the fake Jira broke"
        entries = self._entries()
        worklogs: dict[int, dict[str, Any]] = snap["worklogs"]

        # Ids: a uuid has one row; with item 9 fixed, an id never names another entry.
        uuids = Counter(e.uuid for e in entries)
        assert max(uuids.values(), default=1) == 1, f"one entry in two rows: {uuids}"
        for e in entries:
            assert self.ids.setdefault(e.id, e.uuid) == e.uuid, f"id {e.id} reused"
        self.stats["invariants"] += 1

        # No second lost or invented here: the store holds exactly the ledger.
        live = {e.uuid: e for e in entries if not e.deleted and e.sync_state != SyncState.REMOTE}
        held = {u: Held(e.issue_key, e.started_at, e.ended_at, e.comment) for u, e in live.items()}
        assert held == self.ledger, "the store and the user's ledger differ"
        self.stats["invariants"] += 1

        # Every synced entry equals its worklog in Jira.
        for e in live.values():
            if e.sync_state is not SyncState.SYNCED or e.uuid in self.touched:
                continue
            want = self.ledger[e.uuid].worklog()
            linked = e.worklog_ids
            if want is None:
                assert linked == {}, f"#{e.id} under a minute but linked to {linked}"
                continue
            assert len(linked) == 1, f"synced #{e.id} has worklogs {linked}"
            (wid,) = linked.values()
            w = worklogs.get(int(wid))
            assert w is not None, f"synced #{e.id}: its worklog {wid} is not in Jira"
            assert self._content(w) == want, f"synced #{e.id} differs from worklog {wid}"
            assert w["author"] == ALICE
        self.stats["invariants"] += 1

        # Nobody else's worklog was created, changed or deleted; nothing tried to write one.
        foreign = self.site.foreign_writes()
        assert foreign == [], f"writes on someone else's worklogs: {foreign}"
        theirs = {wid: w for wid, w in worklogs.items() if w["author"] != ALICE}
        assert theirs == self.others, "a colleague's worklogs changed"
        for wid, w in self.hand.items():
            assert worklogs.get(wid) == w, f"Alice's own worklog {wid} made in Jira changed"
        self.stats["invariants"] += 1

        # No duplicate and no worklog of ours unaccounted for.
        ours = {
            wid: w for wid, w in worklogs.items() if w["author"] == ALICE and wid not in self.hand
        }
        links = Counter(int(wid) for e in entries for wid in e.worklog_ids.values())
        assert max(links.values(), default=1) == 1, f"one worklog linked twice: {links}"
        unsettled = Counter(
            (day.issue, int(day.sent.started.timestamp()))
            for e in entries
            for day in e.remote.values()
            if day.unsettled and day.sent is not None
        )
        starts = Counter((w["issue_id"], w["started_ms"] // 1000) for w in ours.values())
        twice = [k for k, n in starts.items() if n > 1]
        assert not twice, f"two worklogs of ours at the same start: {twice}"
        for wid, w in sorted(ours.items()):
            if wid in links or wid in self.leftovers or wid in self.adoptable:
                continue
            key = (self._issue_keys[w["issue_id"]], w["started_ms"] // 1000)
            assert unsettled[key] > 0, f"worklog {wid} {self._content(w)} belongs to no entry"
            unsettled[key] -= 1
        self.stats["invariants"] += 1

    # -- settling ---------------------------------------------------------------------------

    @rule()
    def settle(self) -> None:
        self._settle()

    def _settle(self) -> None:
        """Sync, answer every question with "keep mine" (or "retry"), until nothing is left;
        then Jira holds exactly the ledger's worklogs."""
        self.site.clear_faults()
        for _ in range(4):
            report = self.app.sync.sync(retry_failed=True)
            self.stats["syncs"] += 1
            problems = self.app.conflicts.problems()
            if not problems and report.ok and not report.errors and report.pending == 0:
                break
            for problem in problems:
                if problem.entry.sync_state is SyncState.CONFLICT and not problem.can_retry:
                    self.app.conflicts.keep_mine(problem.entry.id)
                else:
                    self.app.conflicts.retry(problem.entry.id)
        self._synced_cleanly()
        self.check()
        left = [
            (e.id, e.sync_state.value, e.error)
            for e in self._entries()
            if e.sync_state in (SyncState.PENDING, SyncState.FAILED, SyncState.CONFLICT)
            and (e.deleted or (e.uuid in self.ledger and self.ledger[e.uuid].worklog()))
        ]
        assert left == [], f"still not settled: {left}"
        worklogs = self._snapshot()["worklogs"]
        ours = Counter(
            self._content(w)
            for wid, w in worklogs.items()
            if w["author"] == ALICE and wid not in self.hand and wid not in self.leftovers
        )
        wanted = Counter(h.worklog() for h in self.ledger.values() if h.worklog())
        assert ours == wanted, f"Jira holds {ours - wanted} too many, {wanted - ours} too few"
        self.stats["settled"] += 1
        self.stats["invariants"] += 1


# -- variants and budgets ------------------------------------------------------------------


def _variants() -> list[tuple[str, str, dict[str, Any]]]:
    variants: list[tuple[str, str, dict[str, Any]]] = [
        ("cloud", "accept", {}),
        ("dc", "refuse", {}),
    ]
    # Data Center sites without the worklog property resource, where the fake can say so.
    if "worklog_properties" in inspect.signature(FakeJira).parameters:
        variants.append(("dc", "refuse", {"worklog_properties": False}))
        variants[1] = ("dc", "refuse", {"worklog_properties": True})
    return variants


VARIANTS = _variants()


def _variant_id(variant: tuple[str, str, dict[str, Any]]) -> str:
    mode, properties, switches = variant
    extra = "".join(f"-{k}={v}" for k, v in switches.items())
    return f"{mode}-{properties}{extra}"


@pytest.mark.timeout(3600 if LONG else 900)  # shrinking a failure takes its time
@pytest.mark.parametrize("variant", VARIANTS, ids=[_variant_id(v) for v in VARIANTS])
def test_the_seams_hold(variant: tuple[str, str, dict[str, Any]], capsys: Any) -> None:
    mode, properties, switches = variant
    name = _variant_id(variant)
    machine = type(
        "Seams_" + name.replace("-", "_").replace("=", "_"),
        (Seams,),
        {"mode": mode, "properties": properties, "switches": switches, "name": name},
    )
    STATS.pop(name, None)
    budget = settings(
        max_examples=LONG_EXAMPLES if LONG else CI_EXAMPLES,
        stateful_step_count=LONG_STEPS if LONG else CI_STEPS,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    try:
        run_state_machine_as_test(machine, settings=budget)
    finally:
        stats = STATS.get(name, Counter())
        with capsys.disabled(), contextlib.suppress(OSError):
            print(f"\nseams {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))
