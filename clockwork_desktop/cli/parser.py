"""The public command-line contract. Keep it stable: scripts depend on it."""

from __future__ import annotations

import argparse

from clockwork_desktop import __version__

TIME_HELP = "HH:MM (local, today) or an ISO 8601 instant"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clockwork-desktop",
        description="Track time on Jira issues, offline first. Without a command, starts the "
        "tray app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="where the database lives (or CLOCKWORK_DATA_DIR)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="try the app with a throwaway demo Jira and data"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("start", help="start a timer (stops the running one)")
    p.add_argument("key", metavar="KEY", help="Jira issue key, e.g. PROJ-123")
    p.add_argument("--comment", default="", metavar="TEXT")
    p.add_argument("--at", metavar="TIME", help=TIME_HELP)
    p.add_argument("--account", metavar="NAME", help="Jira account (default: the default one)")

    p = sub.add_parser("stop", help="stop the running timer")
    p.add_argument("--comment", metavar="TEXT")
    p.add_argument("--at", metavar="TIME", help=TIME_HELP)

    sub.add_parser("resume", help="start again on the last issue")
    sub.add_parser("discard", help="drop the running timer")

    p = sub.add_parser("status", help="what is running, today's total, sync state")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("log", help="log time by hand")
    p.add_argument("key", metavar="KEY")
    p.add_argument("duration", metavar="DURATION", help="e.g. 1h30m, 90m, 1.5h, 1:30")
    p.add_argument("--date", metavar="YYYY-MM-DD")
    p.add_argument("--start", metavar="HH:MM")
    p.add_argument("--comment", default="", metavar="TEXT")
    p.add_argument("--account", metavar="NAME")

    p = sub.add_parser("entries", help="list entries (today by default)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--date", metavar="D")
    when.add_argument("--week", metavar="YYYY-Www")
    when.add_argument("--from", dest="from_", metavar="D")
    p.add_argument("--to", metavar="D")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("edit", help="change an entry")
    p.add_argument("id", metavar="ID", type=_entry_id)
    p.add_argument("--issue", metavar="KEY")
    p.add_argument("--start", metavar="TIME", help="HH:MM on the entry's day, or ISO 8601")
    end = p.add_mutually_exclusive_group()
    end.add_argument("--end", metavar="TIME", help="HH:MM on the entry's day, or ISO 8601")
    end.add_argument("--duration", metavar="D")
    p.add_argument("--comment", metavar="TEXT")

    p = sub.add_parser("delete", help="delete an entry")
    p.add_argument("id", metavar="ID", type=_entry_id)
    return parser


def _entry_id(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an entry id: {text!r} (use the number shown by `entries`)"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not an entry id: {text!r}")
    return value
