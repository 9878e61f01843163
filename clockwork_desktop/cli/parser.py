"""The public command-line contract. Keep it stable: scripts depend on it.

Each command's arguments are added by one ``add_*`` function here; which commands exist, and
what runs them, is the table in ``app/commands.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from clockwork_desktop import __version__

TIME_HELP = "HH:MM (local, today) or an ISO 8601 instant"
MAX_ENTRY_ID = 2**63 - 1  # SQLite's largest integer


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter without its shutil import (a few ms on every command)."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        if kwargs.get("width") is None:
            try:
                columns = (
                    int(os.environ.get("COLUMNS", "0"))
                    or os.get_terminal_size(
                        sys.__stdout__.fileno() if sys.__stdout__ else 1
                    ).columns
                )
            except (OSError, ValueError):
                columns = 80
            kwargs["width"] = max(columns, 40) - 2
        super().__init__(prog, **kwargs)


class _SubParsers(argparse._SubParsersAction):  # type: ignore[type-arg]
    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", _Formatter)
        return super().add_parser(name, **kwargs)  # type: ignore[no-any-return]


def _add_range(p: argparse.ArgumentParser) -> None:
    """--date D | --week YYYY-Www | --from D --to D (today when none is given)."""
    when = p.add_mutually_exclusive_group()
    when.add_argument("--date", metavar="D")
    when.add_argument("--week", metavar="YYYY-Www")
    when.add_argument("--from", dest="from_", metavar="D")
    p.add_argument("--to", metavar="D")


def add_start(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("start", help="start a timer (stops the running one)")
    p.add_argument("key", metavar="KEY", help="Jira issue key, e.g. PROJ-123")
    p.add_argument("--comment", default="", metavar="TEXT")
    p.add_argument("--at", metavar="TIME", help=TIME_HELP)
    p.add_argument("--account", metavar="NAME", help="Jira account (default: the default one)")
    p.add_argument(
        "--move",
        action="store_true",
        help="with `auto transition offer`: also move an issue still to do to In Progress",
    )


def add_stop(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stop", help="stop the running timer")
    p.add_argument("--comment", metavar="TEXT")
    p.add_argument("--at", metavar="TIME", help=TIME_HELP)


def add_pause(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("pause", help="pause the running timer (resume continues the same entry)")


def add_resume(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("resume", help="continue a paused timer, or start again on the last issue")


def add_discard(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("discard", help="drop the running timer")


def add_pick(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "pick",
        help="open the running tray app's issue picker (bind it to a desktop shortcut)",
    )


def add_status(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help="what is running, today's total, sync state")
    p.add_argument("--json", action="store_true")


def add_log(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("log", help="log time by hand")
    p.add_argument("key", metavar="KEY")
    p.add_argument("duration", metavar="DURATION", help="e.g. 1h30m, 90m, 1.5h, 1:30")
    p.add_argument("--date", metavar="YYYY-MM-DD")
    p.add_argument(
        "--start",
        metavar="HH:MM",
        help="without it: today, the latest free stretch that fits; another day, after its "
        "last entry",
    )
    p.add_argument("--comment", default="", metavar="TEXT")
    p.add_argument("--account", metavar="NAME")


def add_entries(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("entries", help="list entries (today by default)")
    _add_range(p)
    p.add_argument("--json", action="store_true")


def add_edit(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("edit", help="change an entry")
    p.add_argument("id", metavar="ID", type=_entry_id)
    p.add_argument("--issue", metavar="KEY")
    p.add_argument("--start", metavar="TIME", help="HH:MM on the entry's day, or ISO 8601")
    end = p.add_mutually_exclusive_group()
    end.add_argument("--end", metavar="TIME", help="HH:MM on the entry's day, or ISO 8601")
    end.add_argument("--duration", metavar="D")
    p.add_argument("--comment", metavar="TEXT")


def add_delete(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("delete", help="delete an entry")
    p.add_argument("id", metavar="ID", type=_entry_id)


def add_login(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("login", help="sign in to a Jira site (checks the token first)")
    p.add_argument("--url", required=True, metavar="URL", help="e.g. https://acme.atlassian.net")
    p.add_argument("--email", metavar="EMAIL", help="Jira Cloud: your Atlassian account email")
    p.add_argument("--name", metavar="NAME", help="a short name for this account")
    p.add_argument("--token-stdin", action="store_true", help="read the token from stdin")
    p.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="PEM file of the CA certificates to trust instead of the system's (company CA)",
    )


def add_logout(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("logout", help="remove an account's token")
    p.add_argument("--name", metavar="NAME")


def add_accounts(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("accounts", help="list Jira accounts")
    p.add_argument("--json", action="store_true")


def add_sync(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sync", help="send pending entries to Jira now")
    p.add_argument("--json", action="store_true")
    p.add_argument("--retry-failed", action="store_true", help="try refused entries again")
    p.add_argument(
        "--account",
        metavar="NAME",
        help="the account CLOCKWORK_JIRA_TOKEN belongs to (needed with several accounts)",
    )


def add_issues(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("issues", help="my open Jira issues")
    p.add_argument("--account", metavar="NAME")
    p.add_argument("--json", action="store_true")


def add_search(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("search", help="find Jira issues by key or words")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--account", metavar="NAME")
    p.add_argument("--json", action="store_true")


def add_import(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="copy my worklogs made elsewhere from Jira")
    _add_range(p)
    p.add_argument("--account", metavar="NAME")


def add_resolve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "resolve", help="settle an entry Jira refused or disagrees on (see entries --json)"
    )
    p.add_argument("id", metavar="ID", type=_entry_id)
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument("--mine", action="store_true", help="send my version over Jira's")
    choice.add_argument("--jira", action="store_true", help="take Jira's version here")
    choice.add_argument("--retry", action="store_true", help="send a refused entry again")


def add_check_jira(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check-jira",
        help="test how your Jira site behaves, on a scratch issue (writes and deletes worklogs)",
    )
    p.add_argument(
        "--issue",
        metavar="KEY",
        required=True,
        help="an issue you may log work on; two short worklogs are made there and deleted",
    )
    p.add_argument("--account", metavar="NAME")
    p.add_argument("--json", action="store_true")


def add_rounding(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rounding", help="set how time is rounded when sent to Jira")
    p.add_argument("policy", metavar="POLICY", help="none, up:STEP or nearest:STEP (minutes)")
    p.add_argument("--account", metavar="NAME")


def add_timesheet(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("timesheet", help="a week of logged time: mine, or my team's")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--week", metavar="YYYY-Www")
    when.add_argument("--date", metavar="D", help="the week containing this date")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--team", metavar="NAME", help="a saved team")
    who.add_argument("--group", metavar="GROUP", help="a Jira group")
    who.add_argument(
        "--user",
        metavar="ID",
        action="append",
        help="a person (repeatable): the accountId on Cloud, the username on Data Center",
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--output", metavar="FILE", help="write to FILE (.csv, .xlsx, .json, .tsv)")
    p.add_argument("--window", action="store_true", help="open the timesheet window")
    p.add_argument("--offline", action="store_true", help="use saved data; do not ask Jira")


def add_doctor(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "doctor", help="check keyring, accounts, sync, database, disk and backups (exit 1: act)"
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument(
        "--report",
        action="store_true",
        help="a redacted report for support: no tokens, emails, comments or summaries",
    )
    p.add_argument("--offline", action="store_true", help="do not contact Jira")


def add_backups(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backups", help="list the daily database backups (the last 7 are kept)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--now", action="store_true", help="take a backup now")


def add_restore(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "restore", help="put a backup in place of the database (the current file is kept)"
    )
    p.add_argument("name", metavar="NAME", help="a backup's name, as listed by `backups`")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")


SubcommandBuilder = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def add_auto(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from clockwork_desktop.cli.auto_commands import add_parser

    add_parser(sub)


def _command_in(argv: Sequence[str], known: Mapping[str, SubcommandBuilder]) -> str | None:
    """The command word in ``argv`` when it can be found without parsing everything."""
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--data-dir":
            skip = True
            continue
        if word in ("-h", "--help"):
            return None
        if not word.startswith("-"):
            return word if word in known else None
    return None


def build_parser(
    known: Mapping[str, SubcommandBuilder], argv: Sequence[str] | None = None
) -> argparse.ArgumentParser:
    """The parser of the commands ``known`` (name: what adds its sub-parser): all of them, or
    with ``argv`` only the one it names (start-up time); all for --help or an unknown word."""
    parser = argparse.ArgumentParser(
        prog="clockwork-desktop",
        description="Track time on Jira issues, offline first. Without a command, starts the "
        "tray app.",
        formatter_class=_Formatter,
    )
    parser.register("action", "parsers", _SubParsers)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="where the database lives (or CLOCKWORK_DATA_DIR)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="try the app with a throwaway demo Jira and data"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works (on throwaway data) and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _command_in(argv, known) if argv is not None else None
    if argv is not None and wanted is None and not _asks_for_help_or_command(argv):
        return parser  # starting the tray app: no sub-parser is needed
    for name, add in known.items():
        if wanted is None or name == wanted:
            add(sub)
    return parser


def _asks_for_help_or_command(argv: Sequence[str]) -> bool:
    """Any word that is not a global option or its value: a command (maybe a mistyped one)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--data-dir":
            skip = True
            continue
        if word.startswith("--data-dir=") or word in ("--demo", "--self-test"):
            continue
        return True
    return False


def _entry_id(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an entry id: {text!r} (use the number shown by `entries`)"
        ) from None
    if not 0 < value <= MAX_ENTRY_ID:
        raise argparse.ArgumentTypeError(f"not an entry id: {text!r}")
    return value
