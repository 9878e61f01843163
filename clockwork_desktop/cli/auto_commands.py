"""`auto`: automatic timers from Jira statuses and git branches, from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from clockwork_desktop.cli import output
from clockwork_desktop.cli.commands import CliServices
from clockwork_desktop.core.errors import InputError

if TYPE_CHECKING:
    from clockwork_desktop.services.accounts import AccountService
    from clockwork_desktop.services.auto_timers import AutoTimerService
    from clockwork_desktop.services.nudges import NudgeService
    from clockwork_desktop.services.preferences import PreferencesService


class AutoCliServices(CliServices, Protocol):
    @property
    def preferences(self) -> PreferencesService: ...

    @property
    def auto_timers(self) -> AutoTimerService: ...

    @property
    def nudges(self) -> NudgeService: ...

    @property
    def accounts(self) -> AccountService: ...


ACTIONS = ["status", "on", "off", "poll", "repos", "branch", "other-timer", "transition"]
ACTIONS += ["statuses"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "auto",
        help="automatic timers: from Jira statuses, from git branches",
        description="auto status | on | off | poll; auto repos add|remove|list [PATH]; "
        "auto branch off|suggest|switch; auto other-timer switch|ask; "
        "auto transition off|offer|perform; auto statuses [NAME ...]",
    )
    p.add_argument(
        "action",
        choices=ACTIONS,
    )
    p.add_argument("words", nargs="*", metavar="ARG")
    p.add_argument("--account", help="the Jira account (default: the default account)")
    p.add_argument("--json", action="store_true")


def cmd_auto(args: argparse.Namespace, s: CliServices) -> int:
    services: AutoCliServices = s  # type: ignore[assignment]
    preferences = services.preferences
    action, words = args.action, list(args.words)
    if action in ("on", "off"):
        account = services.accounts.get(args.account)
        preferences.set_jira(account.name, action == "on")
        state = "on" if action == "on" else "off"
        print(f"Timers from Jira statuses are {state} for {account.name}.")
    elif action == "poll":
        report = services.auto_timers.poll()
        if args.json:
            print(output.dumps(report._asdict() | {"offers": [o.label for o in report.offers]}))
        else:
            for key in report.started:
                print(f"Started {key}.")
            for key in report.stopped:
                print(f"Stopped {key}.")
            for offer in report.offers:
                print(f"Offered: {offer.label}.")
            for error in report.errors:
                print(f"Not polled: {error}")
    elif action == "repos":
        _repos(preferences, words)
    elif action == "branch":
        preferences.choose("branch", _one(words, "off, suggest or switch"))
        print(f"On a branch switch: {words[0]}.")
    elif action == "other-timer":
        preferences.choose("on_conflict", _one(words, "switch or ask"))
        print(f"When another timer runs: {words[0]}.")
    elif action == "transition":
        preferences.choose("transition", _one(words, "off, offer or perform"))
        print(f"Starting on an issue in To Do: {words[0]}.")
    elif action == "statuses":
        preferences.set_active_statuses(words)
        print(f"Active statuses: {', '.join(words) or 'the In Progress category'}.")
    if action in ("status", "on", "off") and (action == "status" or args.json):
        names = [a.name for a in services.accounts.accounts()]
        warning = services.nudges.warning
        summary = services.auto_timers.summary(names) | {
            "warning": warning.message if warning else None
        }
        if args.json:
            print(output.dumps(summary))
        else:
            for name, value in summary.items():
                print(f"{name}: {output.clean(value)}")
    return 0


def _one(words: list[str], what: str) -> str:
    if len(words) != 1:
        raise InputError(f"Give one of: {what}.")
    return words[0]


def _repos(preferences: PreferencesService, words: list[str]) -> None:
    if not words or words[0] == "list":
        for repo in preferences.repos():
            print(repo)
        return
    if words[0] not in ("add", "remove") or len(words) != 2:
        raise InputError("Use: auto repos add PATH | remove PATH | list.")
    try:
        path = str(Path(words[1]).expanduser().resolve())
    except RuntimeError:  # "~name/..." for a user this system does not know
        user = words[1].split("/", 1)[0]
        raise InputError(
            f"There is no user {user[1:]!r} on this computer, so {user} is no home folder; "
            "give the repository's full path."
        ) from None
    if words[0] == "add":
        if not (Path(path) / ".git").exists():
            raise InputError(f"{path} is not a git working tree (it has no .git).")
        preferences.add_repo(path)
        print(f"Watching {path}.")
    else:
        preferences.remove_repo(path)
        print(f"No longer watching {path}.")
