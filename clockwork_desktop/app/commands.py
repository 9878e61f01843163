"""The command line's one table: each command declared once.

A row names the command, what adds its arguments (``cli/parser.py``), the handler as
"module:function" (imported only when that command runs, so a command loads only what it
uses), what the handler needs, and whether the command writes to the database (it then takes
the daily backup when one is due). The parser, the help and the dispatch are built from it.

Needs: ``"services"``: the handler takes ``(args, services)`` and runs inside the CLI's error
handling (``cli.commands.run``) with the adapters and services of ``app/services.py``;
``"data-dir"``: it takes ``(args, data_dir)`` and opens what it needs itself (the tray's
picker, the timesheet window).
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any, Literal, NamedTuple

from clockwork_desktop.cli import parser as p

Needs = Literal["services", "data-dir"]


class Command(NamedTuple):
    name: str
    add_parser: p.SubcommandBuilder
    handler: str
    needs: Needs = "services"
    writes: bool = False


_CLI = "clockwork_desktop.cli.commands"
_JIRA = "clockwork_desktop.cli.jira_commands"
_MAINTENANCE = "clockwork_desktop.cli.maintenance"
_APP = "clockwork_desktop.app.commands"

COMMANDS: tuple[Command, ...] = (
    Command("start", p.add_start, f"{_CLI}:cmd_start", writes=True),
    Command("stop", p.add_stop, f"{_CLI}:cmd_stop", writes=True),
    Command("pause", p.add_pause, f"{_CLI}:cmd_pause"),
    Command("resume", p.add_resume, f"{_CLI}:cmd_resume", writes=True),
    Command("discard", p.add_discard, f"{_CLI}:cmd_discard", writes=True),
    Command("pick", p.add_pick, f"{_APP}:pick", needs="data-dir"),
    Command("status", p.add_status, f"{_CLI}:cmd_status"),
    Command("log", p.add_log, f"{_CLI}:cmd_log", writes=True),
    Command("entries", p.add_entries, f"{_CLI}:cmd_entries"),
    Command("edit", p.add_edit, f"{_CLI}:cmd_edit", writes=True),
    Command("delete", p.add_delete, f"{_CLI}:cmd_delete", writes=True),
    Command("login", p.add_login, f"{_JIRA}:cmd_login", writes=True),
    Command("logout", p.add_logout, f"{_JIRA}:cmd_logout", writes=True),
    Command("accounts", p.add_accounts, f"{_JIRA}:cmd_accounts"),
    Command("sync", p.add_sync, f"{_JIRA}:cmd_sync", writes=True),
    Command("issues", p.add_issues, f"{_JIRA}:cmd_issues"),
    Command("search", p.add_search, f"{_JIRA}:cmd_search"),
    Command("import", p.add_import, f"{_JIRA}:cmd_import", writes=True),
    Command(
        "rounding",
        p.add_rounding,
        "clockwork_desktop.cli.rounding_command:cmd_rounding",
        writes=True,
    ),
    Command("timesheet", p.add_timesheet, f"{_APP}:timesheet", needs="data-dir"),
    Command("check-jira", p.add_check_jira, f"{_JIRA}:cmd_check_jira"),
    Command("resolve", p.add_resolve, f"{_JIRA}:cmd_resolve"),
    Command("doctor", p.add_doctor, f"{_MAINTENANCE}:cmd_doctor"),
    Command("backups", p.add_backups, f"{_MAINTENANCE}:cmd_backups"),
    Command("restore", p.add_restore, f"{_MAINTENANCE}:cmd_restore"),
    Command("auto", p.add_auto, "clockwork_desktop.cli.auto_commands:cmd_auto", writes=True),
)

_BY_NAME = {command.name: command for command in COMMANDS}


def command(name: str) -> Command:
    return _BY_NAME[name]


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    """Only the sub-parser ``argv`` names (all of them for --help or an unknown command)."""
    return p.build_parser({c.name: c.add_parser for c in COMMANDS}, argv)


def full_parser() -> argparse.ArgumentParser:
    return p.build_parser({c.name: c.add_parser for c in COMMANDS})


def _load(handler: str) -> Any:
    module, _, function = handler.partition(":")
    return getattr(importlib.import_module(module), function)


def run(args: argparse.Namespace, data_dir: Path) -> int:
    """Run the command ``args`` names, with what its row says it needs."""
    row = _BY_NAME[args.command]
    if row.needs == "data-dir":
        return int(_load(row.handler)(args, data_dir))
    return _with_services(row.handler, args, data_dir, writes=row.writes)


def _with_services(handler: str, args: argparse.Namespace, data_dir: Path, *, writes: bool) -> int:
    from clockwork_desktop.app.services import AppServices
    from clockwork_desktop.cli.commands import run as run_cli

    services = AppServices(data_dir, token_account=getattr(args, "account", None))
    try:
        return run_cli(_load(handler), args, services, writes=writes)
    finally:
        services.close()


def pick(args: argparse.Namespace, data_dir: Path) -> int:
    """Ask the running tray app to open its picker (what a desktop shortcut runs)."""
    import sys

    from clockwork_desktop.app.instance import PICK, SingleInstance

    if SingleInstance(data_dir).send(PICK):
        return 0
    sys.stderr.write(
        "Clockwork Desktop is not running, so there is no picker to open. Start it from your "
        "applications menu (or run clockwork-desktop), then try again.\n"
    )
    return 1


def timesheet(args: argparse.Namespace, data_dir: Path) -> int:
    """The timesheet window with --window, else the week in the terminal."""
    if args.window:
        from clockwork_desktop.app.gui import run_timesheet_window

        return run_timesheet_window(data_dir)
    return _with_services(
        "clockwork_desktop.cli.timesheet_command:cmd_timesheet", args, data_dir, writes=False
    )
