"""Jira's wire formats: the `started` timestamp, ADF comments and error bodies."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

# yyyy-MM-dd'T'HH:mm:ss.SSS±hhmm: no "Z", no colon in the offset (Jira answers 400 otherwise).
STARTED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$")
_PARSE_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$"
)


def format_started(instant: datetime, zone: ZoneInfo) -> str:
    """``instant`` as Jira's `started`, with the offset in force in ``zone`` at that instant.

    The offset is computed with integer arithmetic on total minutes so zones such as +05:30,
    +05:45 and -03:30 come out right (a classic bug is flooring negative hours).
    """
    local = instant.astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    total_min = int(offset.total_seconds()) // 60
    sign = "+" if total_min >= 0 else "-"
    hh, mm = divmod(abs(total_min), 60)
    millis = local.microsecond // 1000
    return f"{local:%Y-%m-%dT%H:%M:%S}.{millis:03d}{sign}{hh:02d}{mm:02d}"


def parse_jira_time(text: str) -> datetime:
    """Parse any offset style Jira sends (+0100, +01:00, Z, 1-9 fraction digits) to UTC."""
    match = _PARSE_RE.match(text.strip())
    if not match:
        raise ValueError(f"not a Jira timestamp: {text!r}")
    frac = (match["f"] or "0")[:6].ljust(6, "0")
    base = datetime.fromisoformat(
        f"{match['date']}T{match['h']}:{match['m']}:{match['s'] or '00'}.{frac}"
    )
    tz_text = match["tz"]
    if tz_text is None or tz_text == "Z":
        tz: timezone = UTC
    else:
        digits = tz_text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        delta = timedelta(hours=hours, minutes=minutes)
        tz = timezone(delta if tz_text[0] == "+" else -delta)
    return base.replace(tzinfo=tz).astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_epoch_ms(instant: datetime) -> int:
    # Integer arithmetic: a float timestamp times 1000 can land a millisecond short.
    return (instant - _EPOCH) // timedelta(milliseconds=1)


def adf_from_text(text: str) -> dict[str, Any] | None:
    """A minimal ADF document for a plain-text comment; None for an empty comment.

    Each line becomes a paragraph; ADF text nodes must not be empty.
    """
    paragraphs = []
    for line in text.strip().splitlines():
        if line.strip():
            paragraphs.append({"type": "paragraph", "content": [{"type": "text", "text": line}]})
    if not paragraphs:
        return None
    return {"type": "doc", "version": 1, "content": paragraphs}


def text_from_adf(doc: Any) -> str:
    """The plain text of an ADF document (or a v2 string comment)."""
    if doc is None:
        return ""
    if isinstance(doc, str):
        return doc
    lines: list[str] = []

    def walk(node: Any, out: list[str]) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                out.append(str(node.get("text", "")))
            elif node.get("type") == "hardBreak":
                out.append("\n")
            for child in node.get("content", []) or []:
                walk(child, out)

    for block in doc.get("content", []) if isinstance(doc, dict) else []:
        parts: list[str] = []
        walk(block, parts)
        lines.append("".join(parts))
    return "\n".join(lines)


def error_message(status: int, body: Any) -> str:
    """A readable message from a Jira error body (errorMessages, errors, message)."""
    parts: list[str] = []
    if isinstance(body, dict):
        parts.extend(str(m) for m in body.get("errorMessages") or [] if m)
        errors = body.get("errors") or {}
        if isinstance(errors, dict):
            parts.extend(f"{field}: {msg}" for field, msg in errors.items())
        for key in ("message", "errorMessage"):
            if body.get(key):
                parts.append(str(body[key]))
    elif isinstance(body, str) and body.strip():
        parts.append(body.strip()[:300])
    return "; ".join(parts) or f"HTTP {status}"
