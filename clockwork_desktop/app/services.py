"""Builds the adapters and services on first use, so each command pays only for what it uses."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from clockwork_desktop.core.clock import Clock, SystemClock
from clockwork_desktop.infra.db.database import OpenedDatabase, open_database
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.infra.localzone import local_zone, setting_problem
from clockwork_desktop.services.tracker import TrackerService

if TYPE_CHECKING:
    from clockwork_desktop.core.export import Table
    from clockwork_desktop.core.ports import CredentialStore, JiraConnector
    from clockwork_desktop.core.probe import ProbeReport
    from clockwork_desktop.core.settings import Settings
    from clockwork_desktop.core.shortcut import ShortcutSupport
    from clockwork_desktop.infra.backup import BackupInfo, Backups
    from clockwork_desktop.infra.db.auto_state import AutoStateStore
    from clockwork_desktop.infra.db.owner import DbOwner
    from clockwork_desktop.services.accounts import AccountService
    from clockwork_desktop.services.auto_timers import AutoTimerService
    from clockwork_desktop.services.conflicts import ConflictService
    from clockwork_desktop.services.health import HealthService
    from clockwork_desktop.services.issues import IssueService
    from clockwork_desktop.services.nudges import NudgeService
    from clockwork_desktop.services.preferences import PreferencesService
    from clockwork_desktop.services.scheduled_sync import ScheduledSync
    from clockwork_desktop.services.starts import StartService
    from clockwork_desktop.services.sync import SyncService
    from clockwork_desktop.services.timesheet import TimesheetService


CA_BUNDLE_KEY = "ca_bundle:"  # + the site's address: a company CA is kept with its site


class AppServices:
    def __init__(
        self,
        data_dir: Path,
        clock: Clock | None = None,
        *,
        connector: JiraConnector | None = None,
        credentials: CredentialStore | None = None,
        token_account: str | None = None,
        session_fallback: bool = False,
        owned_db: bool = False,
    ) -> None:
        """``owned_db``: one thread owns the database (the tray app, infra.db.owner); its
        task runner uses ``db_owner`` as the DB worker. The command line runs inline."""
        self.data_dir = data_dir
        self.db_owner: DbOwner | None = None
        if owned_db:
            from clockwork_desktop.infra.db.owner import DbOwner

            self.db_owner = DbOwner()
        self.clock: Clock = clock or SystemClock()
        self.notices: list[str] = []
        self._db: OpenedDatabase | None = None
        self._connector = connector
        self._credentials = credentials
        self._token_account = token_account  # the account CLOCKWORK_JIRA_TOKEN belongs to
        self._session_fallback = session_fallback  # the tray: memory where there is no keyring
        self._auto_clients: dict[str, Any] = {}  # Jira clients of the automatic timers
        self._shortcut: ShortcutSupport | None = None

    @cached_property
    def store(self) -> SqliteStore:
        owner = self.db_owner
        if owner is None:
            self._db = open_database(self.data_dir)
        else:  # opened on the thread that will run every statement
            self._db = owner.call(lambda: open_database(self.data_dir, same_thread=True))
        self.notices.extend(self._db.notices)
        return SqliteStore(self._db.conn, self._db.path, now=self.clock.now, owner=owner)

    @property
    def shortcut(self) -> ShortcutSupport:
        """The tray app replaces it once it knows what this platform allows."""
        if self._shortcut is None:
            from clockwork_desktop.core.shortcut import NO_SHORTCUT

            return NO_SHORTCUT
        return self._shortcut

    @shortcut.setter
    def shortcut(self, support: ShortcutSupport) -> None:
        self._shortcut = support

    @cached_property
    def zone(self) -> ZoneInfo:
        setting = self.store.get_setting("timezone")
        problem = setting_problem(setting)
        if problem:
            self.notices.append(problem)
        return local_zone(setting)

    @cached_property
    def tracker(self) -> TrackerService:
        return TrackerService(self.store, self.store, self.clock, self.zone)

    @cached_property
    def scheduled_sync(self) -> ScheduledSync:
        from clockwork_desktop.services.scheduled_sync import ScheduledSync

        return ScheduledSync(self.sync, self.store.accounts, self.tracker.today, self.clock)

    @cached_property
    def starts(self) -> StartService:
        from clockwork_desktop.services.starts import StartService

        return StartService(self.tracker, self.store, lambda: self.auto_timers)

    def close(self) -> None:
        for client in self._auto_clients.values():
            client.close()
        self._auto_clients.clear()
        if self._db is not None:
            conn, self._db = self._db.conn, None
            if self.db_owner is not None:
                self.db_owner.call(conn.close)
            else:
                conn.close()
        if self.db_owner is not None:
            self.db_owner.shutdown()

    # -- Jira: built only for the commands that need it (httpx and keyring are heavy) -------

    @cached_property
    def credentials(self) -> CredentialStore:
        if self._credentials is None:
            from clockwork_desktop.infra.credentials import KeyringCredentials

            keyring = KeyringCredentials(
                token_account=self._token_account,
                account_names=lambda: [a.name for a in self.store.accounts()],
            )
            if self._session_fallback:
                from clockwork_desktop.infra.credentials import DesktopCredentials

                self._credentials = DesktopCredentials(keyring)
            else:
                self._credentials = keyring
        return self._credentials

    def token_note(self) -> str | None:
        """What to tell someone who just signed in about where the token is kept, if needed."""
        from clockwork_desktop.infra.credentials import SESSION_ONLY_NOTE, DesktopCredentials

        credentials = self.credentials
        if isinstance(credentials, DesktopCredentials) and credentials.session_only:
            return SESSION_ONLY_NOTE
        return None

    @cached_property
    def connector(self) -> JiraConnector:
        if self._connector is None:
            from clockwork_desktop.infra.tls import SiteCaConnector

            self._connector = SiteCaConnector(self._ca_bundle_for)
        return self._connector

    def _ca_bundle_for(self, site: str) -> str | None:
        """The site's own CA bundle (``login --ca-bundle``), else the shared ``ca_bundle``."""
        bundle = self.store.get_setting(CA_BUNDLE_KEY + site) or self.store.get_setting("ca_bundle")
        return str(bundle) if bundle else None

    @cached_property
    def accounts(self) -> AccountService:
        from clockwork_desktop.services.accounts import AccountService

        return AccountService(self.store, self.credentials, self.connector)

    @cached_property
    def sync(self) -> SyncService:
        from clockwork_desktop.infra.lock import FileSyncLock
        from clockwork_desktop.services.sync import SyncService

        return SyncService(
            self.store, self.accounts, self.clock, FileSyncLock(self.data_dir / "sync.lock")
        )

    @cached_property
    def conflicts(self) -> ConflictService:
        from clockwork_desktop.services.conflicts import ConflictService

        return ConflictService(self.store, self.accounts, self.clock)

    @cached_property
    def issues(self) -> IssueService:
        from clockwork_desktop.services.issues import IssueService

        return IssueService(self.store, self.accounts)

    @cached_property
    def timesheets(self) -> TimesheetService:
        from clockwork_desktop.services.timesheet import TimesheetService

        return TimesheetService(self.store, self.accounts, self.tracker, self.clock)

    def check_jira(self, account_name: str | None, issue_key: str) -> ProbeReport:
        """Ask the account's site how it behaves, on a scratch issue (see infra.jira.probe)."""
        from clockwork_desktop.core.models import normalise_issue_key
        from clockwork_desktop.infra.jira.client import JiraClient
        from clockwork_desktop.infra.jira.probe import probe_site

        key = normalise_issue_key(issue_key)
        account = self.accounts.get(account_name)
        client = self.accounts.client(account)
        try:
            if not isinstance(client, JiraClient):
                raise TypeError("check-jira needs the HTTP Jira client")
            return probe_site(
                client,
                key,
                now=self.clock.now(),
                zone=account.time_zone or "UTC",
                site=account.url,
            )
        finally:
            client.close()

    @cached_property
    def health(self) -> HealthService:
        import platform
        import sys

        from clockwork_desktop import __version__
        from clockwork_desktop.infra.db.migrations import SCHEMA_VERSION
        from clockwork_desktop.infra.health_probes import MachineHealth
        from clockwork_desktop.services.health import HealthService

        facts = {
            "version": __version__,
            "python": platform.python_version(),
            "platform": f"{platform.system()} {platform.release()} ({sys.platform})",
            "schema": SCHEMA_VERSION,
        }
        store = self.store
        recovered = self._db.notices if self._db is not None else ()
        return HealthService(
            store,
            MachineHealth(self.data_dir),
            self.accounts,
            self.clock.now,
            facts,
            recovered,
            # Built when the check runs, inside its guard: a damaged file is reported, not raised.
            too_short=lambda: self.tracker.too_short_ids(),
        )

    # -- backups: the file is copied by its own connection, so any thread may take one ------

    @cached_property
    def backups(self) -> Backups:
        from clockwork_desktop.infra.backup import Backups

        return Backups(self.data_dir)

    def backup_if_due(self) -> BackupInfo | None:
        """A daily copy when the newest is a day old (one directory listing when it is not)."""
        return self.backups.take_if_due(self.clock.now())

    def backup_now(self) -> BackupInfo:
        return self.backups.take(self.clock.now())

    def restore_backup(self, name: str) -> Path:
        """Replace the database with backup ``name``; the current file is kept aside.

        Refused while the tray app or a sync elsewhere has the database open: either would go
        on writing to the file that was moved aside.
        """
        from clockwork_desktop.core.errors import OperationError
        from clockwork_desktop.infra.lock import FileSyncLock
        from clockwork_desktop.infra.running import app_lock

        self.backups.find(name)
        # Held while the file is swapped: the tray app cannot start meanwhile either.
        running = app_lock(self.data_dir)
        if not running.acquire():
            raise OperationError(
                "Clockwork Desktop is running with this data folder. Quit it (Quit in its "
                "menu), then restore again. Nothing was changed."
            )
        lock = FileSyncLock(self.data_dir / "sync.lock")
        if not lock.acquire():
            running.release()
            raise OperationError(
                "Another Clockwork Desktop process is syncing with this data folder. Wait "
                "until it finishes (or quit it), then restore again. Nothing was changed."
            )
        try:
            self.close()
            for cached in (
                "store",
                "zone",
                "tracker",
                "accounts",
                "sync",
                "issues",
                "health",
                "timesheets",
                "auto_state",
                "preferences",
                "nudges",
                "auto_timers",
            ):
                self.__dict__.pop(cached, None)
            return self.backups.restore(name, self.clock.now())
        finally:
            lock.release()
            running.release()

    def set_ca_bundle(self, site: str, path: str) -> None:
        """Trust the CAs in ``path`` (checked first) for ``site``, from its sign-in on."""
        from clockwork_desktop.core.urls import normalise_site_url
        from clockwork_desktop.infra.tls import check_ca_bundle

        self.store.set_setting(CA_BUNDLE_KEY + normalise_site_url(site), check_ca_bundle(path))

    @cached_property
    def auto_state(self) -> AutoStateStore:
        from clockwork_desktop.infra.db.auto_state import AutoStateStore

        return AutoStateStore(self.store)

    @cached_property
    def preferences(self) -> PreferencesService:
        from clockwork_desktop.services.preferences import PreferencesService

        return PreferencesService(self.store, self.auto_state, self.clock)

    @cached_property
    def nudges(self) -> NudgeService:
        from clockwork_desktop.services.nudges import CollectingNotifier, NudgeService

        return NudgeService(
            self.tracker,
            self.preferences,
            self.auto_state,
            self.store,
            self.clock,
            CollectingNotifier(),
        )

    @cached_property
    def auto_timers(self) -> AutoTimerService:
        from typing import cast

        from clockwork_desktop.core.models import Account
        from clockwork_desktop.core.ports import AutoJiraPort
        from clockwork_desktop.infra.githead import GitHeadReader
        from clockwork_desktop.services.auto_timers import AutoTimerService
        from clockwork_desktop.services.nudges import CollectingNotifier

        clients: dict[str, AutoJiraPort] = self._auto_clients

        def jira_for(account: Account) -> AutoJiraPort:
            if account.name not in clients:
                clients[account.name] = cast(AutoJiraPort, self.accounts.client(account))
            return clients[account.name]

        return AutoTimerService(
            self.tracker,
            self.preferences,
            self.auto_state,
            self.store,
            self.store,
            self.clock,
            CollectingNotifier(),
            accounts=lambda: self.store.accounts(),
            jira_for=jira_for,
            branches=GitHeadReader(),
            last_awake=lambda: self.nudges.last_awake(),
        )

    def entry_sources(self, uuids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Why automatic timers started and stopped, per entry uuid (empty for most)."""
        return self.store.history_of(uuids)

    def has_token(self, name: str) -> bool:
        account = self.store.account(name)
        if account is None:
            return False
        try:
            return bool(self.credentials.get_token(account))
        except Exception:  # no keyring: not signed in, whatever the reason
            return False

    # -- what the GUI needs besides the services ---------------------------------------------

    @property
    def settings(self) -> SqliteStore:
        return self.store

    def data_version(self) -> int:
        return self.store.data_version()

    def system_zone(self) -> str:
        return local_zone(None).key

    def apply_settings(self, settings: Settings) -> None:
        """Use saved settings that services hold in memory (the zone days are counted in)."""
        zone = local_zone(settings.timezone or None)
        self.__dict__["zone"] = zone
        if "tracker" in self.__dict__:
            self.tracker.zone = zone

    def xlsx_bytes(self, table: Table) -> bytes:
        from clockwork_desktop.infra.spreadsheet import xlsx_bytes

        return xlsx_bytes(table)

    def issue_summary(self, key: str) -> str:
        return self.store.issue_summaries([key]).get(key, "")
