"""How a sync state reads, in one place: the CLI and every window say the same words.

A label is the short form a table column shows ("pending", "from Jira"); a meaning is the
sentence a tooltip shows ("waiting to be sent to Jira"). A window may add what the user can do
there (a hint), but never words of its own for the state itself.
"""

from __future__ import annotations

from clockwork_desktop.core.models import SyncState

LABELS: dict[str, str] = {
    SyncState.PENDING: "pending",
    SyncState.SYNCED: "synced",
    SyncState.FAILED: "failed",
    SyncState.CONFLICT: "conflict",
    SyncState.REMOTE: "from Jira",
    SyncState.TOO_SHORT: "too short to log",
    SyncState.RUNNING: "running",
    SyncState.PAUSED: "paused",
}

MEANINGS: dict[str, str] = {
    SyncState.PENDING: "waiting to be sent to Jira",
    SyncState.SYNCED: "in Jira",
    SyncState.FAILED: "Jira refused it",
    SyncState.CONFLICT: "changed or deleted in Jira",
    SyncState.REMOTE: "logged in Jira by another tool",
    SyncState.TOO_SHORT: "under a minute: stays on this computer",
    SyncState.RUNNING: "timer running",
    SyncState.PAUSED: "timer paused: counts no time until Continue",
}


def state_label(state: str, error: str | None = None, needs_review: bool = False) -> str:
    """The short form, with Jira's reason when there is one and "(check)" when the entry was
    closed for the user to review (e.g. after a crash or a sleep)."""
    text = LABELS.get(state, state)
    if error:
        text += f": {error}"
    if needs_review:
        text += " (check)"
    return text


def state_meaning(state: str, hint: str = "") -> str:
    """The sentence for a tooltip, with what the user can do where it is shown."""
    text = MEANINGS.get(state, state)
    return f"{text}: {hint}" if hint and state in MEANINGS else text
