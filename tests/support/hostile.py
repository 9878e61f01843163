"""Jira text written to attack whatever shows it: markup, terminal escapes, formulas, bidi."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from clockwork_desktop.fakejira import FakeJira, FakeUser

# Rich text that Qt would render: an image from the disk, a link, bold.
HTML_SUMMARY = '<img src="file:///etc/passwd"><a href="https://evil.example">Open</a> <b>bold</b>'
# An OSC 8 hyperlink, a screen clear and a colour: the terminal would obey them all.
ESCAPE_SUMMARY = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x1b[2J\x1b[31mred\x9b0m"
# A formula for spreadsheets, a right-to-left override and markup, in one display name.
MALLORY = FakeUser(
    "acc-mallory",
    '=HYPERLINK("https://evil.example","Mallory")\u202e<b>yrollaM</b>\x1b[0m\x07',
    "mallory@example.com",
    "mallory-token",
    time_zone="UTC",
    groups=["team-a"],
)
STARTED_MS = int(datetime(2026, 3, 10, 9, 0, tzinfo=UTC).timestamp() * 1000)


def seed_hostile(jira: FakeJira) -> FakeJira:
    """Adds EVIL-1 (markup) and EVIL-2 (escapes), both Alice's, and a worklog by Mallory."""
    jira.add_user(FakeUser(**MALLORY.__dict__))
    jira.add_issue("EVIL-1", HTML_SUMMARY, assignee="acc-alice", updated_ms=5000)
    jira.add_issue("EVIL-2", ESCAPE_SUMMARY, assignee="acc-alice", updated_ms=4000)
    jira.add_worklog("EVIL-1", MALLORY.account_id, STARTED_MS, 2 * 3600, updated_ms=STARTED_MS)
    return jira


BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def unsafe_for_terminals(text: str) -> list[str]:
    """The control characters (line ends aside) and bidirectional overrides in ``text``."""
    return [
        c for c in text if (c != "\n" and unicodedata.category(c) == "Cc") or c in BIDI_CONTROLS
    ]
