"""What the automatic timers and the guards keep between runs, as typed values.

The values live in the settings table under ``auto:*`` keys, as the earlier versions wrote
them (so no migration is needed); this codec is the only code that knows their shape:

- ``auto:cursor:NAME`` (a ``PollCursor``): ``{"polled": ISO, "seen": {key: ISO}, "active": [key]}``
- ``auto:resume`` (a ``PendingResume``): ``{"key", "account", "after": ISO}``
- ``auto:suggested`` (a ``Suggestion``): ``{"key", "branch", "repo"}``
- ``auto:branch_seen``: ``{repo: branch or null}``
- ``auto:guard_answered``: ``[[entry id, "long" | "midnight"], ...]``, the latest 20

A value that does not have its shape (a damaged row, a hand edit) reads as none and is logged;
the next write replaces it. Nothing here holds a lock or a connection of its own: every call
goes through the settings port, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeGuard

from clockwork_desktop.core.attention import (
    GUARD_KINDS,
    GuardKind,
    PendingResume,
    PollCursor,
    Suggestion,
)
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.ports import SettingsStore

log = get_logger(__name__)

CURSOR_PREFIX = "auto:cursor:"
RESUME_KEY = "auto:resume"
SUGGESTED_KEY = "auto:suggested"
BRANCHES_SEEN_KEY = "auto:branch_seen"
GUARDS_ANSWERED_KEY = "auto:guard_answered"
GUARDS_KEPT = 20


class _Unreadable(ValueError):
    pass


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _Unreadable(value)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise _Unreadable(value) from None
    if at.tzinfo is None:
        raise _Unreadable(value)
    return at


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _Unreadable(value)
    return value


def _is_kind(value: Any) -> TypeGuard[GuardKind]:
    return value in GUARD_KINDS


def encode_cursor(cursor: PollCursor) -> dict[str, Any]:
    return {
        "polled": cursor.polled.isoformat(),
        "seen": {key: at.isoformat() for key, at in sorted(cursor.seen.items())},
        "active": sorted(cursor.active),
    }


def decode_cursor(value: Any) -> PollCursor:
    if not isinstance(value, dict):
        raise _Unreadable(value)
    seen = value.get("seen", {})
    active = value.get("active", [])
    if not isinstance(seen, dict) or not isinstance(active, list):
        raise _Unreadable(value)
    return PollCursor(
        _instant(value.get("polled")),
        {_text(key): _instant(at) for key, at in seen.items()},
        frozenset(_text(key) for key in active),
    )


def encode_resume(resume: PendingResume) -> dict[str, Any]:
    return {"key": resume.issue_key, "account": resume.account, "after": resume.after.isoformat()}


def decode_resume(value: Any) -> PendingResume:
    if not isinstance(value, dict):
        raise _Unreadable(value)
    account = value.get("account")
    return PendingResume(
        _text(value.get("key")),
        _text(account) if account is not None else None,
        _instant(value.get("after")),
    )


def decode_suggestion(value: Any) -> Suggestion:
    if not isinstance(value, dict):
        raise _Unreadable(value)
    return Suggestion(
        _text(value.get("key")), str(value.get("branch") or ""), str(value.get("repo") or "")
    )


class AutoStateStore:
    """``core.ports.AutoTimerState`` and ``GuardAnswers`` over the settings table."""

    def __init__(self, settings: SettingsStore) -> None:
        self._settings = settings

    def _read(self, key: str, decode: Any) -> Any:
        value = self._settings.get_setting(key)
        if value is None:
            return None
        try:
            return decode(value)
        except (_Unreadable, TypeError):
            log.warning("%s is unreadable; it is started afresh", key)
            return None

    # -- AutoTimerState -------------------------------------------------------------------------

    def poll_cursor(self, account: str) -> PollCursor | None:
        cursor: PollCursor | None = self._read(CURSOR_PREFIX + account, decode_cursor)
        return cursor

    def set_poll_cursor(self, account: str, cursor: PollCursor) -> None:
        self._settings.set_setting(CURSOR_PREFIX + account, encode_cursor(cursor))

    def pending_resume(self) -> PendingResume | None:
        resume: PendingResume | None = self._read(RESUME_KEY, decode_resume)
        return resume

    def set_pending_resume(self, resume: PendingResume | None) -> None:
        self._settings.set_setting(RESUME_KEY, encode_resume(resume) if resume else None)

    def suggestion(self) -> Suggestion | None:
        found: Suggestion | None = self._read(SUGGESTED_KEY, decode_suggestion)
        return found

    def set_suggestion(self, suggestion: Suggestion | None) -> None:
        value = None
        if suggestion is not None:
            value = {
                "key": suggestion.issue_key,
                "branch": suggestion.branch,
                "repo": suggestion.repo,
            }
        self._settings.set_setting(SUGGESTED_KEY, value)

    def branches_seen(self) -> dict[str, str | None]:
        value = self._settings.get_setting(BRANCHES_SEEN_KEY)
        if not isinstance(value, dict):
            if value is not None:
                log.warning("%s is unreadable; it is started afresh", BRANCHES_SEEN_KEY)
            return {}
        return {
            repo: branch
            for repo, branch in value.items()
            if isinstance(repo, str) and (branch is None or isinstance(branch, str))
        }

    def set_branches_seen(self, branches: Mapping[str, str | None]) -> None:
        self._settings.set_setting(BRANCHES_SEEN_KEY, dict(branches))

    # -- GuardAnswers ---------------------------------------------------------------------------

    def answered_guards(self) -> list[tuple[int, GuardKind]]:
        value = self._settings.get_setting(GUARDS_ANSWERED_KEY)
        if not isinstance(value, list):
            return []
        answered: list[tuple[int, GuardKind]] = []
        for item in value:
            if isinstance(item, list) and len(item) == 2:
                entry_id, kind = item
                if isinstance(entry_id, int) and _is_kind(kind):
                    answered.append((entry_id, kind))
        return answered

    def set_answered_guards(self, answered: Sequence[tuple[int, GuardKind]]) -> None:
        kept = [[entry_id, kind] for entry_id, kind in answered][-GUARDS_KEPT:]
        self._settings.set_setting(GUARDS_ANSWERED_KEY, kept)
