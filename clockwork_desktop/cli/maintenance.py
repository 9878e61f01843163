"""Looking after the installation: `doctor`, `backups` and `restore`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from clockwork_desktop.cli import output
from clockwork_desktop.cli.commands import CliServices
from clockwork_desktop.core.errors import InputError, OperationError
from clockwork_desktop.services.health import HealthService


class _Backup(Protocol):
    name: str
    taken_at: datetime
    size_bytes: int


class _BackupList(Protocol):
    def all(self) -> list[Any]: ...

    def find(self, name: str) -> Any: ...


class MaintenanceServices(CliServices, Protocol):
    @property
    def health(self) -> HealthService: ...

    @property
    def backups(self) -> _BackupList: ...

    def backup_now(self) -> Any: ...

    def restore_backup(self, name: str) -> Path: ...


def _svc(s: CliServices) -> MaintenanceServices:
    return s  # type: ignore[return-value]


def cmd_doctor(args: argparse.Namespace, s: CliServices) -> int:
    report = _svc(s).health.run(contact_jira=not args.offline)
    if args.json:
        print(output.dumps(report.as_json()))
        return report.exit_code
    text = report.support_report() if args.report else report.text()
    # Line by line: a message from a server must not steer the terminal.
    print("\n".join(output.clean(line) for line in text.splitlines()))
    return report.exit_code


def _backup_row(b: _Backup, zone: Any) -> dict[str, Any]:
    return {
        "name": b.name,
        "taken_at": b.taken_at.isoformat(),
        "local": f"{b.taken_at.astimezone(zone):%Y-%m-%d %H:%M}",
        "size_bytes": b.size_bytes,
    }


def cmd_backups(args: argparse.Namespace, s: CliServices) -> int:
    svc = _svc(s)
    if args.now:
        taken = svc.backup_now()
        print(f"Backed up to {taken.name}.", file=sys.stderr if args.json else sys.stdout)
    zone = svc.tracker.zone
    rows = [_backup_row(b, zone) for b in svc.backups.all()]
    if args.json:
        print(output.dumps(rows))
        return 0
    if not rows:
        print(
            "No backups yet: one is taken each day by the app, or by a command that changes data."
        )
        return 0
    for r in rows:
        print(f"{r['name']}  {r['local']}  {r['size_bytes'] / 1024:,.0f} KiB")
    return 0


def _confirmed(name: str) -> bool:
    sys.stdout.write(
        f"Replace the current database with the backup {name}? The current file is kept "
        "beside it, not deleted. [y/N] "
    )
    sys.stdout.flush()
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def cmd_restore(args: argparse.Namespace, s: CliServices) -> int:
    svc = _svc(s)
    name = Path(args.name).name  # a name from `backups`, never a path elsewhere
    if name != args.name:
        raise InputError(f"Give a backup's name as listed by `backups`, not a path: {args.name!r}")
    svc.backups.find(name)
    if not args.yes and not _confirmed(name):
        raise OperationError("Not restored: nothing was changed.")
    aside = svc.restore_backup(name)
    print(
        f"Restored {name}. The database you had before is kept as {aside}. Entries not yet "
        "sent are first looked up in Jira at the next sync, so nothing is posted twice."
    )
    return 0
