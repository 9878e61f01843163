"""HealthService: the checks behind `doctor`, the Health tab in Settings and "Copy diagnostics".

The README's section "Health and service levels" describes them, hence the module's name;
on the command line they are `doctor`.

Each check says whether it needs the user, and what to do. The service levels we promise are
measured from the store's own records (when an entry was ready to send, when it first reached
Jira), never estimated. The support report is redacted: it names issue keys and counts, never
tokens, email addresses, the user part of addresses, comments or summaries.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import (
    ClockworkError,
    CredentialsUnavailableError,
    JiraAuthError,
    JiraRefusedError,
    StorageError,
)
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, SyncState
from clockwork_desktop.core.ports import HealthEnvironment, HealthStore
from clockwork_desktop.core.tokens import redact

log = get_logger(__name__)

ACCOUNT_CHECK_TIMEOUT_S = 5.0
PENDING_TOO_LONG = timedelta(hours=1)
SYNC_TOO_OLD = timedelta(days=1)
BACKUP_TOO_OLD = timedelta(days=2)
MIN_FREE_BYTES = 200 * 1024 * 1024
SERVICE_LEVEL_WINDOW = timedelta(days=30)
SERVICE_LEVEL_WITHIN = timedelta(minutes=10)
SERVICE_LEVEL_TARGET = 0.99
SERVICE_LEVEL_PROMISE = (
    "while online, 99 % of stopped entries reach Jira within 10 minutes "
    "(the default sync interval is 5 minutes)"
)

_DAMAGED_ADVICE = (
    "Quit and start Clockwork Desktop again: the damaged file is moved aside and what "
    "can be read is recovered. A daily backup can also be restored."
)
_RECOVERED_ADVICE = (
    "Check your recent entries, and restore a daily backup if some are missing; the damaged "
    "file is kept where it was moved."
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


class AccountProbe(Protocol):
    def accounts(self) -> list[Account]: ...

    def client(self, account: Account) -> Any: ...


class Check(NamedTuple):
    name: str
    ok: bool
    detail: str
    advice: str = ""


class ServiceLevel(NamedTuple):
    measured: int  # entries that were due within the window
    within: int  # of those, first synced within SERVICE_LEVEL_WITHIN
    median_s: int | None
    p95_s: int | None

    @property
    def share(self) -> float | None:
        return self.within / self.measured if self.measured else None

    def describe(self) -> str:
        if not self.measured:
            return "Measured over the last 30 days: no entries to measure yet."
        share = self.share or 0.0
        text = (
            f"Measured over the last 30 days: {share * 100:.1f} % ({self.within} of "
            f"{self.measured}) within 10 minutes"
        )
        if self.median_s is not None and self.p95_s is not None:
            text += (
                f"; median {format_duration(self.median_s)}, 95th percentile "
                f"{format_duration(self.p95_s)}"
            )
        return text + " (time offline counts against it)."


class HealthReport(NamedTuple):
    checks: list[Check]
    level: ServiceLevel
    facts: dict[str, Any]

    @property
    def healthy(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def exit_code(self) -> int:
        """0 healthy, 1 something needs the user."""
        return 0 if self.healthy else 1

    def text(self) -> str:
        lines = [
            "Clockwork Desktop health: " + ("healthy" if self.healthy else "needs your attention"),
            "",
        ]
        for check in self.checks:
            mark = "ok  " if check.ok else "FIX "
            lines.append(f"{mark} {check.name}: {check.detail}")
            if check.advice and not check.ok:
                lines.append(f"     → {check.advice}")
        lines += [
            "",
            f"Service level: {SERVICE_LEVEL_PROMISE}.",
            self.level.describe(),
        ]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "exit_code": self.exit_code,
            "checks": [c._asdict() for c in self.checks],
            "service_level": {
                "promise": SERVICE_LEVEL_PROMISE,
                "window_days": SERVICE_LEVEL_WINDOW.days,
                "within_s": int(SERVICE_LEVEL_WITHIN.total_seconds()),
                "target": SERVICE_LEVEL_TARGET,
                "measured": self.level.measured,
                "within": self.level.within,
                "share": self.level.share,
                "median_s": self.level.median_s,
                "p95_s": self.level.p95_s,
            },
            "facts": self.facts,
        }

    def support_report(self) -> str:
        """The text a user may paste into a support request: redacted, every line."""
        facts = "\n".join(f"{k}: {v}" for k, v in sorted(self.facts.items()))
        body = (
            "Clockwork Desktop diagnostics (redacted: no tokens, email addresses, comments or "
            "summaries)\n\n" + self.text() + "\n\n" + facts + "\n"
        )
        return scrub(body)


def scrub(text: str) -> str:
    """Remove what must never leave the computer in a report, whatever a message quoted."""
    return _EMAIL.sub("[email]", redact(text))


def _percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure_service_level(
    delays: list[tuple[datetime, datetime | None]], now: datetime
) -> ServiceLevel:
    """Entries still waiting count once their ten minutes are over; younger ones do not yet."""
    within = 0
    measured = 0
    waits: list[int] = []
    for ready, synced in delays:
        if synced is None:
            if now - ready > SERVICE_LEVEL_WITHIN:
                measured += 1
            continue
        wait = max(0, int((synced - ready).total_seconds()))
        waits.append(wait)
        measured += 1
        if wait <= SERVICE_LEVEL_WITHIN.total_seconds():
            within += 1
    return ServiceLevel(
        measured,
        within,
        _percentile(waits, 0.5) if waits else None,
        _percentile(waits, 0.95) if waits else None,
    )


def _ago(now: datetime, then: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    return "just now" if seconds < 60 else f"{format_duration(seconds)} ago"


class HealthService:
    def __init__(
        self,
        store: HealthStore,
        environment: HealthEnvironment,
        accounts: AccountProbe,
        now: Callable[[], datetime],
        facts: dict[str, Any] | None = None,
        recovered: Sequence[str] = (),
        too_short: Callable[[], Collection[int]] = frozenset,
    ) -> None:
        """``too_short``: the ids of pending entries under Jira's minimum, which stay here for
        good (``status`` does not count them as pending, and neither does this)."""
        self._store = store
        self._too_short = too_short
        # What opening the database did this time: a damaged file moved aside and recovered.
        # The new file checks sound, but the user must hear of it (and check recent entries).
        self._recovered = tuple(recovered)
        self._env = environment
        self._accounts = accounts
        self._now = now
        self._facts = dict(facts or {})

    def run(self, *, contact_jira: bool = True) -> HealthReport:
        now = self._now()
        try:
            return self._run(now, contact_jira)
        except StorageError as exc:  # a read met a damaged page: report it, do not stop
            log.warning("health check could not read the database: %s", exc)
            return self._unreadable(now, exc)

    def _unreadable(self, now: datetime, exc: StorageError) -> HealthReport:
        """What can still be said about a database that cannot be read through."""
        database = self._integrity()
        if database.ok:
            database = Check("database", False, f"damaged: {exc}", _DAMAGED_ADVICE)
        checks = [database, self._disk(), self._backups(now, {"unknown": 1})]
        facts = {**self._facts, "backups": self._backup_count(), "checked_at": now.isoformat()}
        return HealthReport(checks, ServiceLevel(0, 0, None, None), facts)

    def _run(self, now: datetime, contact_jira: bool) -> HealthReport:
        accounts = self._accounts.accounts()
        checks = [self._keyring(accounts)]
        for account in accounts:
            checks.append(self._account(account, contact_jira))
        counts = self._store.count_by_state()
        too_short = set(self._too_short())
        if too_short:  # not waiting for anything: counted apart, as `status` counts them
            pending = SyncState.PENDING.value
            counts = {
                **counts,
                pending: counts.get(pending, 0) - len(too_short),
                SyncState.TOO_SHORT.value: len(too_short),
            }
        checks += [
            self._pending(now, bool(accounts), too_short),
            self._last_sync(now, accounts, counts),
            self._refused(counts),
            self._integrity(),
            self._disk(),
            self._backups(now, counts),
        ]
        level = measure_service_level(self._store.sync_delays(now - SERVICE_LEVEL_WINDOW), now)
        facts = {
            **self._facts,
            "accounts": ", ".join(f"{a.name} ({a.deployment})" for a in accounts) or "none",
            "entries": ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none",
            "database_bytes": self._store.size_bytes(),
            "backups": self._backup_count(),
            "checked_at": now.isoformat(),
        }
        return HealthReport(checks, level, facts)

    def _backup_count(self) -> int | str:
        try:
            return self._env.backup_count()
        except ClockworkError:
            return "unknown"

    # -- the checks -------------------------------------------------------------------------

    def _keyring(self, accounts: list[Account]) -> Check:
        backend = self._env.keyring_backend()
        if backend is not None:
            return Check("keyring", True, f"tokens are kept in {backend}")
        if self._env.env_token_set():
            return Check(
                "keyring", True, "no keyring; the token comes from the environment for each run"
            )
        return Check(
            "keyring",
            not accounts,
            "no usable keyring: a token cannot be kept safely",
            "Start or unlock your desktop's keyring (GNOME Keyring, KWallet, macOS Keychain, "
            "Windows Credential Manager), then sign in again.",
        )

    def _account(self, account: Account, contact_jira: bool) -> Check:
        name = f"account {account.name}"
        where = f"{account.url} ({'Jira Cloud' if account.is_cloud else 'Jira Data Center'})"
        if account.auth_blocked:
            return Check(
                name,
                False,
                f"{where}: Jira refused the token",
                "Sign in to this account again with a new token.",
            )
        if not contact_jira:
            return Check(name, True, f"{where}: not contacted")
        outcome: list[object] = []

        def probe() -> None:
            try:
                client = self._accounts.client(account)
                try:
                    client.myself()
                finally:
                    client.close()
                outcome.append(True)
            except Exception as exc:  # reported below as this account's result
                outcome.append(exc)

        # Daemon: a Jira that never answers must not keep `doctor` from exiting.
        worker = threading.Thread(target=probe, name=f"health-{account.name}", daemon=True)
        worker.start()
        worker.join(ACCOUNT_CHECK_TIMEOUT_S)
        if not outcome:
            return Check(
                name,
                False,
                f"{where}: no answer within {ACCOUNT_CHECK_TIMEOUT_S:g} s",
                "Check your network, VPN or proxy; entries wait on this computer meanwhile.",
            )
        result = outcome[0]
        if result is True:
            return Check(name, True, f"{where}: reachable, token accepted")
        if isinstance(result, JiraAuthError):
            return Check(
                name,
                False,
                f"{where}: not signed in, or Jira refused the token",
                "Sign in to this account again with a new token.",
            )
        if isinstance(result, CredentialsUnavailableError):
            return Check(
                name,
                False,
                f"{where}: the keyring could not be read",
                "Unlock your desktop's keyring.",
            )
        log.info("health check of %s failed: %s", account.name, result)
        if isinstance(result, JiraRefusedError):
            # Jira's own words may quote anything (a token, a name): the report keeps the status.
            reason = f"Jira answered HTTP {result.status}"
        elif isinstance(result, ClockworkError):
            reason = str(result)
        else:
            reason = type(result).__name__
        return Check(
            name,
            False,
            f"{where}: not reachable ({reason})",
            "Check your network, VPN or proxy; entries wait on this computer meanwhile.",
        )

    def _pending(self, now: datetime, has_accounts: bool, too_short: Collection[int]) -> Check:
        oldest = self._store.oldest_pending(excluding=too_short)
        kept = f"; {len(too_short)} too short to log, kept here" if too_short else ""
        if oldest is None:
            return Check("waiting entries", True, f"none: everything stopped is in Jira{kept}")
        ready, key, count = oldest
        detail = f"{count} waiting; the oldest ({key}) since {_ago(now, ready)}{kept}"
        if not has_accounts:
            return Check("waiting entries", True, f"{detail}; no Jira account, kept here")
        if now - ready > PENDING_TOO_LONG:
            return Check(
                "waiting entries",
                False,
                detail,
                "Sync now; if they still wait, the checks above say why.",
            )
        return Check("waiting entries", True, detail)

    def _last_sync(self, now: datetime, accounts: list[Account], counts: dict[str, int]) -> Check:
        text = self._store.get_setting("last_synced")
        if not accounts:
            return Check("last sync", True, "no Jira account: nothing to sync")
        if not text:
            return Check("last sync", False, "never", "Sync now.")
        try:
            when = datetime.fromisoformat(str(text))
        except ValueError:
            return Check("last sync", False, "unknown", "Sync now.")
        waiting = counts.get(SyncState.PENDING.value, 0)
        stale = now - when > SYNC_TOO_OLD and waiting > 0
        return Check(
            "last sync",
            not stale,
            f"{_ago(now, when)}",
            "Sync now; if it fails, the checks above say why." if stale else "",
        )

    def _refused(self, counts: dict[str, int]) -> Check:
        failed = counts.get(SyncState.FAILED.value, 0)
        conflict = counts.get(SyncState.CONFLICT.value, 0)
        if not failed and not conflict:
            return Check("refused or in conflict", True, "none")
        keys = self._store.keys_in_state(SyncState.FAILED) + self._store.keys_in_state(
            SyncState.CONFLICT
        )
        return Check(
            "refused or in conflict",
            False,
            f"{failed} refused by Jira, {conflict} in conflict ({', '.join(sorted(set(keys)))})",
            "Open each entry, correct it or choose which version to keep; then sync.",
        )

    def _integrity(self) -> Check:
        if self._recovered:
            return Check("database", False, f"damaged: {self._recovered[0]}", _RECOVERED_ADVICE)
        try:
            problems = self._store.integrity_problems()
        except ClockworkError as exc:
            return Check("database", False, f"could not be checked ({exc})")
        if not problems:
            return Check("database", True, "integrity check passed")
        return Check(
            "database",
            False,
            f"damaged: {'; '.join(problems[:3])}",
            _DAMAGED_ADVICE,
        )

    def _disk(self) -> Check:
        free = self._env.free_bytes()
        text = f"{free / 1024 / 1024:,.0f} MiB free in the data folder"
        if free < MIN_FREE_BYTES:
            return Check(
                "disk space",
                False,
                text,
                "Free some space: below 200 MiB, saving time entries may fail.",
            )
        return Check("disk space", True, text)

    def _backups(self, now: datetime, counts: dict[str, int]) -> Check:
        try:
            newest = self._env.newest_backup()
        except ClockworkError as exc:  # the folder is unreadable, or a file is in its place
            return Check(
                "backups", False, str(exc), "Until this is fixed, no daily backup is taken."
            )
        if newest is None:
            if not sum(counts.values()):
                return Check("backups", True, "none yet; nothing to back up")
            return Check(
                "backups",
                False,
                "none yet",
                "A backup is taken once a day while Clockwork Desktop runs or a command "
                "changes your data.",
            )
        name, taken = newest
        detail = f"{self._backup_count()} kept; the newest ({name}) {_ago(now, taken)}"
        if now - taken > BACKUP_TOO_OLD:
            return Check(
                "backups",
                False,
                detail,
                "A backup is taken once a day while Clockwork Desktop runs or a command "
                "changes your data.",
            )
        return Check("backups", True, detail)


def dumps(report: HealthReport) -> str:
    return json.dumps(report.as_json(), indent=2, sort_keys=True)
