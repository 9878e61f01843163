"""Commands that talk to Jira: accounts, sign-in, sync, issues, import."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any, Protocol

from clockwork_desktop.cli import output
from clockwork_desktop.cli.commands import CliServices, date_range
from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.models import FALLBACK_ZONE, TOKEN_ENV_VAR, JiraIssue, unknown_zone_note
from clockwork_desktop.core.probe import ProbeReport
from clockwork_desktop.core.urls import normalise_site_url
from clockwork_desktop.services.accounts import AccountService
from clockwork_desktop.services.conflicts import ConflictService, Resolution
from clockwork_desktop.services.issues import IssueService
from clockwork_desktop.services.sync import SyncService, summarise

TOKEN_ENV = TOKEN_ENV_VAR


class JiraCliServices(CliServices, Protocol):
    @property
    def accounts(self) -> AccountService: ...

    @property
    def sync(self) -> SyncService: ...

    @property
    def issues(self) -> IssueService: ...

    def has_token(self, name: str) -> bool: ...

    def set_ca_bundle(self, site: str, path: str) -> None: ...

    def check_jira(self, account_name: str | None, issue_key: str) -> ProbeReport: ...

    @property
    def conflicts(self) -> ConflictService: ...


def _svc(s: CliServices) -> JiraCliServices:
    return s  # type: ignore[return-value]


def _read_token(args: argparse.Namespace) -> tuple[str, bool]:
    """The token and whether it may be stored (never when it came from the environment)."""
    if args.token_stdin:
        token = sys.stdin.readline().strip()
        if not token:
            raise InputError("--token-stdin was given but standard input held no token.")
        return token, True
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return env, False
    if sys.stdin.isatty():
        kind = "API token" if args.email else "personal access token"
        token = getpass.getpass(f"Jira {kind}: ").strip()
        if token:
            return token, True
    raise InputError(
        f"Give the token on standard input with --token-stdin, or for this run only in "
        f"{TOKEN_ENV}. Cloud: an API token from id.atlassian.com (with --email); Data Center: "
        "a personal access token."
    )


def _check_env_token_site(url: str, s: JiraCliServices) -> None:
    """The environment's token belongs to the site already signed in to: never send it to a
    new one unasked (a second site would learn the first one's secret)."""
    sites = {a.url for a in s.accounts.accounts()}
    if sites and normalise_site_url(url) not in sites:
        raise InputError(
            f"{TOKEN_ENV} is set, and it is the token for {', '.join(sorted(sites))}; it is not "
            f"sent to {normalise_site_url(url)}. To sign in there, give that site's token with "
            f"--token-stdin (or unset {TOKEN_ENV})."
        )


def cmd_login(args: argparse.Namespace, s: CliServices) -> int:
    token, keep = _read_token(args)
    if not keep:
        _check_env_token_site(args.url, _svc(s))
    if args.ca_bundle:
        _svc(s).set_ca_bundle(args.url, args.ca_bundle)
    result = _svc(s).accounts.login(
        args.url, token, email=args.email, name=args.name, store_token=keep
    )
    a, user = result.account, result.user
    print(
        f"Signed in to {a.url} ({'Jira Cloud' if a.is_cloud else 'Jira Data Center'}) as "
        f"{output.clean(user.display_name)} (account id {output.clean(user.account_id)}, time "
        f"zone {output.clean(user.time_zone or 'not set')})."
    )
    print(
        f"Account {a.name!r}"
        + (" is the default." if a.is_default else ".")
        + (
            " The token is kept in the system keyring."
            if keep
            else f" The token from {TOKEN_ENV} was used for this run only and not stored."
        )
    )
    if result.adopted_entries:
        count = result.adopted_entries
        noun = "entry" if count == 1 else "entries"
        print(f"{count} {noun} tracked before signing in will go to {a.name!r}.")
    return 0


def cmd_logout(args: argparse.Namespace, s: CliServices) -> int:
    account = _svc(s).accounts.logout(args.name)
    print(f"Signed out of {account.url}: the token was removed from the keyring.")
    return 0


def cmd_accounts(args: argparse.Namespace, s: CliServices) -> int:
    svc = _svc(s)
    rows: list[dict[str, Any]] = []
    for a in svc.accounts.accounts():
        rows.append(
            {
                "name": a.name,
                "url": a.url,
                "deployment": a.deployment,
                "email": a.email,
                "display_name": a.display_name,
                "account_id": a.account_id,
                "time_zone": a.time_zone,
                "default": a.is_default,
                "rounding": a.rounding,
                "signed_in": (not a.auth_blocked) and svc.has_token(a.name),
                "token_refused": a.auth_blocked,
            }
        )
    if args.json:
        print(output.dumps(rows))
        return 0
    if not rows:
        print("No Jira accounts. Sign in with: clockwork-desktop login --url URL [--email EMAIL]")
        return 0
    for r in rows:
        state = (
            "signed in"
            if r["signed_in"]
            else ("token refused: sign in again" if r["token_refused"] else "not signed in")
        )
        default = " (default)" if r["default"] else ""
        print(
            f"{r['name']}{default}: {r['url']} as {output.clean(r['display_name'])} — {state}; "
            f"rounding {r['rounding']}"
        )
    return 0


def cmd_sync(args: argparse.Namespace, s: CliServices) -> int:
    svc = _svc(s)
    if not svc.accounts.accounts():
        print(
            "clockwork-desktop: no Jira account yet; your entries stay on this computer. "
            "Sign in with: clockwork-desktop login --url URL",
            file=sys.stderr,
        )
        return 1
    report = svc.sync.sync(retry_failed=args.retry_failed)
    busy = ""
    if report.busy:
        # Nothing was read: the count is what this computer still has to send.
        report = report._replace(pending=svc.tracker.status().sync.pending)
        busy = (
            "Another Clockwork Desktop process is syncing right now; "
            f"{report.pending} pending here. Try again shortly."
        )
    if args.json:
        print(
            output.dumps(
                {
                    "created": report.created,
                    "updated": report.updated,
                    "deleted": report.deleted,
                    "adopted": report.adopted,
                    "failed": report.failed,
                    "pending": report.pending,
                    "conflicts": report.conflicts,
                    "unavailable": report.unavailable,
                    "busy": report.busy,
                    "error": f"busy: {busy}" if busy else None,
                    "errors": [
                        {"entry_id": p.entry_id, "issue_key": p.issue_key, "message": p.message}
                        for p in report.errors
                    ],
                }
            )
        )
    elif not busy:
        for line in summarise(report):
            print(output.clean(line))
    if busy:
        if not args.json:
            print(busy)
        print(f"clockwork-desktop: busy: {busy}", file=sys.stderr)
        return 1
    if report.unavailable:
        if args.json:
            print(f"clockwork-desktop: {output.clean(report.unavailable)}", file=sys.stderr)
        return 3
    return 0 if (report.failed == 0 and report.pending == 0 and not report.errors) else 1


def _issues_out(issues: list[JiraIssue], as_json: bool, note: str | None) -> None:
    if note:
        print(f"clockwork-desktop: showing saved results: {output.clean(note)}", file=sys.stderr)
    if as_json:
        print(
            output.dumps([{"key": i.key, "summary": i.summary, "status": i.status} for i in issues])
        )
    elif not issues:
        print("No issues.")
    else:
        width = max(len(output.clean(i.key)) for i in issues)
        for i in issues:
            status = f"  [{output.clean(i.status)}]" if i.status else ""
            print(f"{output.clean(i.key).ljust(width)}  {output.clean(i.summary)}{status}")


def cmd_issues(args: argparse.Namespace, s: CliServices) -> int:
    issues, note = _svc(s).issues.my_open_issues(args.account)
    _issues_out(issues, args.json, note)
    return 0


def cmd_search(args: argparse.Namespace, s: CliServices) -> int:
    issues, note = _svc(s).issues.search(args.text, args.account)
    _issues_out(issues, args.json, note)
    return 0


def cmd_import(args: argparse.Namespace, s: CliServices) -> int:
    svc = _svc(s)
    first, last = date_range(args, svc.tracker.today())
    count = svc.sync.import_worklogs(args.account, first, last)
    zone = svc.accounts.get(args.account).time_zone
    note = unknown_zone_note(zone, f"days are counted in {FALLBACK_ZONE}")
    if note:
        print(output.clean(note), file=sys.stderr)
    print(f"Imported {count} worklogs from Jira for {first} to {last}.")
    return 0


def cmd_resolve(args: argparse.Namespace, s: CliServices) -> int:
    how: Resolution = "mine" if args.mine else "retry" if args.retry else "jira"
    entry = _svc(s).conflicts.resolve(args.id, how)
    if entry is None:
        print(f"#{args.id}: deleted here, as it was in Jira.")
    elif how == "mine":
        print(f"#{entry.id} {entry.issue_key}: your version goes to Jira at the next sync.")
    elif how == "retry":
        print(f"#{entry.id} {entry.issue_key}: sent again at the next sync.")
    else:
        print(f"#{entry.id} {entry.issue_key}: now as in Jira.")
    return 0


def cmd_check_jira(args: argparse.Namespace, s: CliServices) -> int:
    report = _svc(s).check_jira(args.account, args.issue)
    if args.json:
        print(
            output.dumps(
                {
                    "site": report.site,
                    "deployment": report.deployment,
                    "version": report.version,
                    "issue": report.issue,
                    "findings": [f._asdict() for f in report.findings],
                    "left_behind": list(report.left_behind),
                    "unconfirmed": list(report.unconfirmed),
                    "error": report.error or None,
                }
            )
        )
    else:
        marks = {"holds": "ok  ", "differs": "DIFF", "unknown": " ?  ", "fact": "    "}
        print(
            f"{output.clean(report.site)}: Jira {output.clean(report.deployment)} "
            f"{output.clean(report.version)}, on {report.issue}"
        )
        for f in report.findings:
            print(f"  {marks[f.outcome.value]} {output.clean(f.summary)}")
            if f.detail and f.outcome.value != "holds":
                print(f"         {output.clean(f.detail)}")
        for line in _left_behind(report):
            print(line)
        if report.differs:
            print(
                f"{len(report.differs)} assumption(s) do not hold on this site: please report "
                "this output to the Clockwork Desktop developers."
            )
    if report.error:
        print(
            f"clockwork-desktop: check-jira stopped: {output.clean(report.error)}", file=sys.stderr
        )
    failed = report.differs or report.left_behind or report.unconfirmed or report.error
    return 1 if failed else 0


def _left_behind(report: ProbeReport) -> list[str]:
    """Exactly what the probe's test worklogs left on the issue, for the user to delete."""
    if not report.left_behind and not report.unconfirmed:
        return ["Left nothing behind: every test worklog was deleted."]
    lines = []
    if report.left_behind:
        lines.append(
            f"Could not delete the test worklogs {output.clean(', '.join(report.left_behind))} on "
            f"{report.issue}: please delete them there."
        )
    for what in report.unconfirmed:
        lines.append(
            f"A test worklog may remain on {report.issue} (Jira did not confirm it and could not "
            f"be searched): {output.clean(what)}."
        )
    return lines
