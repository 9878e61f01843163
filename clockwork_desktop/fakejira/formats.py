"""Jira's wire formats: ``started`` and ``updated`` times, time spent, ADF comments."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

STARTED_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{3})([+-])(\d{2})(\d{2})$")
BAD_STARTED = (
    "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"."
)


def _format_time(ms: int, zone: ZoneInfo) -> str:
    local = datetime.fromtimestamp(ms / 1000, UTC).astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    total = int(offset.total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    hh, mm = divmod(abs(total), 60)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{sign}{hh:02d}{mm:02d}"


def _parse_started(text: str) -> int | None:
    match = STARTED_RE.match(text)
    if not match:
        return None
    wall, millis, sign, hh, mm = match.groups()
    delta = timedelta(hours=int(hh), minutes=int(mm))
    tz = timezone(delta if sign == "+" else -delta)
    try:
        dt = datetime.fromisoformat(wall).replace(tzinfo=tz)
    except ValueError:
        return None
    return int(dt.timestamp()) * 1000 + int(millis)


def _time_spent_text(seconds: int) -> str:
    parts = []
    for unit, size in (("w", 5 * 8 * 3600), ("d", 8 * 3600), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts) or "0m"


def _parse_time_spent(text: str) -> int | None:
    total = 0
    units = {"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60}
    tokens = text.strip().split()
    if not tokens:
        return None
    for token in tokens:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([wdhm]?)", token)
        if not match:
            return None
        total += int(float(match[1]) * units[match[2] or "m"])
    return total


def _valid_adf(doc: Any) -> bool:
    if not isinstance(doc, dict) or doc.get("type") != "doc" or doc.get("version") != 1:
        return False

    def ok(node: Any) -> bool:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            return False
        if node["type"] == "text":
            return isinstance(node.get("text"), str) and len(node["text"]) > 0
        return all(ok(child) for child in node.get("content", []) or [])

    content = doc.get("content")
    return isinstance(content, list) and all(ok(n) for n in content)


# ADF as Jira's editor writes plain text: a paragraph per block, a `hardBreak` node for a line
# break inside one ("the equivalent to a <br/> in HTML"), text nodes never empty (Atlassian's
# ADF node reference, developer.atlassian.com/cloud/jira/platform/apis/document/nodes/:
# paragraph, hardBreak, text).


def _adf_doc(text: str) -> dict[str, Any]:
    def inline(block: str) -> list[dict[str, Any]]:
        parts = re.split(r"(\n)", block)
        return [
            {"type": "hardBreak"} if part == "\n" else {"type": "text", "text": part}
            for part in parts
            if part
        ]

    blocks = text.replace("\r\n", "\n").split("\n\n")
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": inline(b)} for b in blocks],
    }


def _adf_text(doc: dict[str, Any]) -> str:
    """A v3 comment read through v2, as plain text: blocks a blank line apart, a hard break a
    line break (the inverse of ``_adf_doc``; Jira's own v2 rendering is not documented in the
    sources above, and the client reads Cloud comments through v3 only)."""

    def walk(node: Any) -> str:
        if not isinstance(node, dict):
            return ""
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "hardBreak":
            return "\n"
        return "".join(walk(child) for child in node.get("content", []) or [])

    return "\n\n".join(walk(block) for block in doc.get("content", []) or [])
