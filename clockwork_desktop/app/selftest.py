"""`clockwork-desktop --self-test`: can this installation do its job?

Meant for a freshly built bundle (CI runs it in every build) and for a user's support request:
each check uses the same code paths as the app, on throwaway data in a temporary folder, and
the user's own database, settings, logs and keyring are never touched. Qt runs offscreen, so it
works over SSH and on a machine without a display.

A missing keyring is reported, not a failure: the app works without one (a token for one run
from the environment), and a build machine has none.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from clockwork_desktop import __version__

OK, NOTE, FAIL = "ok", "note", "FAIL"


@dataclass
class Outcome:
    name: str
    status: str
    detail: str


class _Note(Exception):
    """Raised by a check whose finding is worth saying but is not a failure."""


class SelfTest:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.services: Any = None

    # -- checks, in the order they run; each returns what it found ---------------------------

    def database(self) -> str:
        from clockwork_desktop.app.services import AppServices
        from clockwork_desktop.infra.credentials import SessionCredentials
        from clockwork_desktop.infra.db.database import open_database
        from clockwork_desktop.infra.db.migrations import MIGRATIONS, SCHEMA_VERSION

        # As in the app: one thread owns the database, and the tray's runner uses it.
        self.services = AppServices(
            self.workdir / "fresh", credentials=SessionCredentials(), owned_db=True
        )
        store, owner = self.services.store, self.services.db_owner
        version = owner.call(lambda: store.connection.execute("PRAGMA user_version").fetchone()[0])
        if version != SCHEMA_VERSION:
            raise RuntimeError(f"a new database has schema {version}, not {SCHEMA_VERSION}")
        # On a fixed day and hour: "the latest free stretch today" has no hour just after midnight.
        self.services.tracker.log_time(
            "DEMO-101", 3600, day=dt.date(2026, 3, 5), start_time=dt.time(9, 0), comment="self-test"
        )
        if not self.services.store.recent_issue_keys(1):
            raise RuntimeError("a logged entry was not read back")
        # An older file, as a previous release left it: migrated, with a copy kept first.
        old_dir = self.workdir / "old"
        old_dir.mkdir(mode=0o700)
        conn = sqlite3.connect(old_dir / "clockwork.db")
        import sqlite_utils

        MIGRATIONS[0](sqlite_utils.Database(conn))
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
        conn.close()
        opened = open_database(old_dir)
        upgraded = opened.conn.execute("PRAGMA user_version").fetchone()[0]
        opened.conn.close()
        backups = list(old_dir.glob("clockwork.db.v1-backup-*"))
        if upgraded != SCHEMA_VERSION or not backups:
            raise RuntimeError(f"schema 1 became {upgraded}, {len(backups)} backup(s)")
        return (
            f"schema {SCHEMA_VERSION}, created and migrated from 1 with a backup; "
            f"SQLite {sqlite3.sqlite_version}"
        )

    def qt(self) -> str:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is None:
            self._app = QApplication(["clockwork-desktop"])
        return f"PySide6 {pyside_version}, platform {QApplication.platformName()}"

    def text(self) -> str:
        """Sorting, case and time zones: what Qt asks of the ICU data the bundle trims."""
        from PySide6.QtCore import QCollator, QLocale, QTimeZone

        if QCollator(QLocale("de_DE")).compare("ärger", "zebra") >= 0:
            raise RuntimeError("German collation puts 'ärger' after 'zebra'")
        if QLocale("tr_TR").toUpper("i") != "\u0130":
            raise RuntimeError("Turkish upper case of 'i' is wrong")
        zone = QTimeZone(b"Europe/Berlin")
        if not zone.isValid() or not zone.displayName(QTimeZone.TimeType.StandardTime):
            raise RuntimeError("the time zone Europe/Berlin is unknown or has no name")
        return "collation, case mapping and time zone names work"

    def icons(self) -> str:
        from PySide6.QtGui import QIcon

        from clockwork_desktop.ui.icons import STATES, app_icon, resources_dir, state_icon

        root = resources_dir()
        files = sorted(
            p
            for pattern in ("*.svg", "*.png")
            for p in root.rglob(pattern)
            if "screenshots" not in p.parts
        )
        if not files:
            raise RuntimeError(f"no icons in {root}")
        icons: list[tuple[str, QIcon]] = [(str(p.relative_to(root)), QIcon(str(p))) for p in files]
        icons += [(f"tray icon '{s}'", state_icon(s)) for s in STATES]
        icons.append(("application icon", app_icon()))
        blank = [name for name, icon in icons if not _has_pixels(icon)]
        if blank:
            raise RuntimeError(f"these draw nothing: {', '.join(blank)}")
        return f"{len(icons)} icons draw ({len(files)} files in {root})"

    def tray_menu(self) -> str:
        from PySide6.QtCore import QEventLoop, QTimer

        from clockwork_desktop.ui.tasks import TaskRunner
        from clockwork_desktop.ui.tray import TrayController

        runner = TaskRunner(db=self.services.db_owner)  # the app's DB worker, as in the app
        controller = TrayController(self.services, runner, use_tray=False)
        try:
            read = QEventLoop()  # the first state comes from the DB worker
            controller.refreshed.connect(read.quit)
            QTimer.singleShot(10_000, read.quit)  # a bound, should the worker never answer
            read.exec()
            texts = [a.text() for a in controller.menu.actions() if not a.isSeparator()]
        finally:
            controller.shutdown()
            runner.shutdown()
        if not any("Quit" in t for t in texts):
            raise RuntimeError(f"the menu has no Quit: {texts}")
        if not any("DEMO-101" in t for t in texts):
            raise RuntimeError(f"the menu does not list the recent issue: {texts}")
        return f"{len(texts)} items"

    def demo_jira(self) -> str:
        from clockwork_desktop.fakejira.demo import DEMO_EMAIL, DEMO_TOKEN, demo_jira

        started = time.perf_counter()
        jira = demo_jira()
        try:
            self.services.accounts.login(jira.base_url, DEMO_TOKEN, email=DEMO_EMAIL, name="demo")
            issues, problem = self.services.issues.my_open_issues()
            if problem or not issues:
                raise RuntimeError(f"no issues from the demo Jira ({problem})")
            report = self.services.sync.sync()
        finally:
            jira.stop()
        if not report.ok or report.created < 1:
            raise RuntimeError(f"sync to the demo Jira did not finish: {report}")
        elapsed = (time.perf_counter() - started) * 1000
        return f"signed in, {len(issues)} issues read, entries synced ({elapsed:.0f} ms)"

    def https(self) -> str:
        """The certificates and TLS stack that a real Jira needs (no connection is made)."""
        import ssl

        import certifi
        import httpx

        cafile = Path(certifi.where())
        if not cafile.is_file():
            raise RuntimeError(f"the CA certificates are missing ({cafile})")
        context = ssl.create_default_context(cafile=str(cafile))
        if not context.get_ca_certs() and not cafile.stat().st_size:
            raise RuntimeError("no CA certificates loaded")
        return f"httpx {httpx.__version__}, {ssl.OPENSSL_VERSION}"

    def scheduler(self) -> str:
        import threading

        from clockwork_desktop.infra.scheduler import SyncScheduler

        ran = threading.Event()
        scheduler = SyncScheduler(ran.set, interval_s=3600)
        scheduler.start()
        try:
            if not ran.wait(10):
                raise RuntimeError("the first scheduled run did not happen within 10 s")
        finally:
            scheduler.shutdown()
        return "a scheduled run happened"

    def export(self) -> str:
        from clockwork_desktop.infra.spreadsheet import xlsx_bytes

        data = xlsx_bytes([["Issue", "Hours"], ["DEMO-101", 1.0]])
        if not data.startswith(b"PK"):
            raise RuntimeError("the XLSX export is not a zip file")
        return f"an XLSX workbook ({len(data)} bytes)"

    def keyring(self) -> str:
        import keyring
        from keyring.backends import chainer, fail

        backend = keyring.get_keyring()
        chosen = (
            list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
        )
        usable = [b for b in chosen if not isinstance(b, fail.Keyring)]
        if usable:
            return ", ".join(f"{type(b).__module__}.{type(b).__name__}" for b in usable)
        raise _Note(
            f"none usable ({_why_no_keyring()}); tokens can be given per run in "
            "CLOCKWORK_JIRA_TOKEN, or start or unlock the desktop's secret service to keep them"
        )

    def checks(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("database", self.database),
            ("qt", self.qt),
            ("text", self.text),
            ("icons", self.icons),
            ("tray menu", self.tray_menu),
            ("demo jira", self.demo_jira),
            ("https", self.https),
            ("scheduler", self.scheduler),
            ("export", self.export),
            ("keyring", self.keyring),
        ]

    def close(self) -> None:
        if self.services is not None:
            self.services.close()


def _why_no_keyring() -> str:
    """Why each of this system's keyring backends declined (proves they are installed, too)."""
    import importlib

    candidates = {
        "linux": [("SecretService", "Keyring"), ("kwallet", "DBusKeyring")],
        "darwin": [("macOS", "Keyring")],
        "win32": [("Windows", "WinVaultKeyring")],
    }.get(sys.platform, [])
    reasons = []
    for module, cls in candidates:
        try:
            backend = getattr(importlib.import_module(f"keyring.backends.{module}"), cls)
            reason = f"priority {backend.priority}"
        except Exception as exc:  # not viable here: keyring says why in the exception
            reason = str(exc) or type(exc).__name__
        reasons.append(f"{module}: {reason}")
    return "; ".join(reasons) or "no backend for this system"


def _has_pixels(icon: Any) -> bool:
    """Whether the icon draws something at tray size (a missing image plugin draws nothing)."""
    if icon.isNull():
        return False
    image = icon.pixmap(32, 32).toImage()
    if image.isNull():
        return False
    return any(
        image.pixelColor(x, y).alpha() > 0
        for y in range(image.height())
        for x in range(image.width())
    )


def _depends_on(name: str, outcomes: dict[str, Outcome]) -> str | None:
    """Later checks need the database (and Qt): say so rather than fail with a side effect."""
    needs = {
        "tray menu": ("database", "qt"),
        "demo jira": ("database",),
        "text": ("qt",),
        "icons": ("qt",),
    }
    broken = [n for n in needs.get(name, ()) if outcomes[n].status == FAIL]
    return f"skipped: {', '.join(broken)} failed" if broken else None


def run_self_test(out: TextIO | None = None) -> int:
    """Run every check, print one line each and a summary; 0 when nothing failed."""
    out = out or sys.stdout
    # Never a window on the user's screen, and it works without a display.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    kind = "bundle" if getattr(sys, "frozen", False) else "source"
    out.write(
        f"Clockwork Desktop {__version__} self-test ({kind}, Python "
        f"{platform.python_version()}, {sys.platform} {platform.machine()})\n"
    )
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="clockwork-selftest-") as tmp:
        test = SelfTest(Path(tmp))
        try:
            for name, check in test.checks():
                skipped = _depends_on(name, outcomes)
                if skipped:
                    outcomes[name] = Outcome(name, FAIL, skipped)
                else:
                    try:
                        outcomes[name] = Outcome(name, OK, check())
                    except _Note as note:
                        outcomes[name] = Outcome(name, NOTE, str(note))
                    except Exception as exc:
                        outcomes[name] = Outcome(name, FAIL, f"{type(exc).__name__}: {exc}")
                result = outcomes[name]
                out.write(f"  {result.status:<5} {name:<10} {result.detail}\n")
                out.flush()
        finally:
            test.close()
    failed = [o.name for o in outcomes.values() if o.status == FAIL]
    if failed:
        out.write(f"self-test FAILED: {', '.join(failed)}\n")
        return 1
    out.write(f"self-test passed: {len(outcomes)} checks\n")
    return 0
