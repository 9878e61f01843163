"""The per-day worklog state (core.worklog_state) as the text kept in the entries table.

Two columns hold it: ``worklog_ids`` ({day: id} of confirmed worklogs, which queries read
directly) and ``remote_meta`` (the rest, per day). Rows written by earlier versions kept a
string protocol there ("?<ms>" ids for unanswered creates, "1" flags, Jira's `updated` text);
they are read as the same typed values.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from clockwork_desktop.core.jira_format import parse_jira_time
from clockwork_desktop.core.worklog_state import (
    LEGACY_UPDATE_START,
    DayWorklog,
    SentWrite,
    linked_ids,
)

_LEGACY_UNKNOWN = "?"


def _instant(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return parse_jira_time(text)
    except ValueError:
        return None


def _sent(data: Any) -> SentWrite | None:
    if not isinstance(data, dict):
        return None
    started = _instant(data.get("started"))
    if started is None:
        return None
    seconds, comment, revision = data.get("seconds"), data.get("comment"), data.get("rev")
    return SentWrite(
        started,
        seconds if isinstance(seconds, int) else None,
        comment if isinstance(comment, str) else None,
        revision if isinstance(revision, int) else None,
    )


def decode(ids_text: str | None, meta_text: str | None, issue_key: str) -> dict[str, DayWorklog]:
    ids: dict[str, Any] = json.loads(ids_text or "{}")
    meta: dict[str, Any] = json.loads(meta_text or "{}")
    days: dict[str, DayWorklog] = {}
    for day in sorted(set(ids) | set(meta)):
        m = meta.get(day) or {}
        raw_id = ids.get(day, m.get("id"))
        issue = str(m.get("issue") or issue_key)
        if "v" in m:  # written by this version
            days[day] = DayWorklog(
                issue=issue,
                worklog_id=str(raw_id) if raw_id is not None else None,
                updated=_instant(m.get("updated")),
                sent=_sent(m.get("sent")),
                gone=bool(m.get("gone")),
                force=bool(m.get("force")),
                tagged=bool(m.get("tagged", True)),
            )
            continue
        sent = None
        worklog_id = str(raw_id) if raw_id is not None else None
        if str(m.get("sent_rev") or "").isdigit():
            # An update whose answer was lost: that build knew it by the revision in its tag.
            sent = SentWrite(LEGACY_UPDATE_START, None, None, int(m["sent_rev"]))
        if worklog_id is not None and worklog_id.startswith(_LEGACY_UNKNOWN):
            started = datetime.fromtimestamp(int(worklog_id[1:]) / 1000, UTC)
            sent, worklog_id = SentWrite(started.replace(microsecond=0), None, None), None
        days[day] = DayWorklog(
            issue=issue,
            worklog_id=worklog_id,
            updated=_instant(m.get("updated")),
            sent=sent,
            gone=m.get("gone") == "1",
            force=m.get("force") == "1",
        )
    return days


def encode(days: dict[str, DayWorklog]) -> tuple[str, str]:
    """The two column values for ``days``."""
    meta: dict[str, Any] = {}
    for day, w in days.items():
        item: dict[str, Any] = {"v": 2, "issue": w.issue}  # the id is in the worklog_ids column
        if w.updated is not None:
            item["updated"] = w.updated.isoformat()
        if w.sent is not None:
            item["sent"] = {
                "started": w.sent.started.isoformat(),
                "seconds": w.sent.seconds,
                "comment": w.sent.comment,
                "rev": w.sent.revision,
            }
        if w.gone:
            item["gone"] = True
        if w.force:
            item["force"] = True
        if not w.tagged:
            item["tagged"] = False
        meta[day] = item
    return json.dumps(linked_ids(days)), json.dumps(meta)
