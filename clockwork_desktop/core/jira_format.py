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


def normal_comment(text: str) -> str:
    """A comment in the one form we compare and send: every line end as LF, no whitespace
    around the whole. Everything else (blank lines, spaces inside) is kept as written."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def same_comment(left: str, right: str) -> bool:
    """Do two comments say the same, whatever line ends each was written or read back with?"""
    return normal_comment(left) == normal_comment(right)


def adf_from_text(text: str) -> dict[str, Any] | None:
    """An ADF document that reads back as ``normal_comment(text)``; None for an empty one.

    As Jira's editor writes them: a blank line starts a new paragraph, a single line break is a
    ``hardBreak`` node inside one. Text nodes never hold a line end and are never empty (Jira
    refuses empty ones); a run of blank lines keeps its count through empty paragraphs and
    leading hard breaks, so :func:`text_from_adf` gives the text back exactly.
    """
    normal = normal_comment(text)
    if not normal:
        return None
    paragraphs: list[dict[str, Any]] = []
    for block in normal.split("\n\n"):
        inline: list[dict[str, Any]] = []
        for n, line in enumerate(block.split("\n")):
            if n:
                inline.append({"type": "hardBreak"})
            if line:
                inline.append({"type": "text", "text": line})
        paragraph: dict[str, Any] = {"type": "paragraph"}
        if inline:
            paragraph["content"] = inline
        paragraphs.append(paragraph)
    return {"type": "doc", "version": 1, "content": paragraphs}


# Inline ADF nodes that stand for text of their own: a mention, an emoji, a date...
_INLINE_TEXT_ATTRS = {"mention": "text", "emoji": "text", "status": "text", "inlineCard": "url"}


def text_from_adf(doc: Any) -> str:
    """The plain text of an ADF document (or a v2 string comment).

    Top-level blocks are separated by a blank line and ``hardBreak`` is a line break, the
    inverse of :func:`adf_from_text`; blocks nested in one (list items, a quote's paragraphs)
    go on lines of their own.
    """
    if doc is None:
        return ""
    if isinstance(doc, str):
        return doc

    def inline(node: Any) -> str:
        if not isinstance(node, dict):
            return ""
        kind = node.get("type")
        if kind == "text":
            return str(node.get("text", ""))
        if kind == "hardBreak":
            return "\n"
        attrs = node.get("attrs")
        if kind in _INLINE_TEXT_ATTRS and isinstance(attrs, dict):
            return str(attrs.get(_INLINE_TEXT_ATTRS[kind]) or "")
        children = node.get("content") or []
        if not isinstance(children, list):
            return ""
        parts = [inline(child) for child in children]
        if any(_is_block(child) for child in children):
            return "\n".join(p for p in parts if p)
        return "".join(parts)

    blocks = doc.get("content") if isinstance(doc, dict) else None
    if not isinstance(blocks, list):
        return ""
    return "\n\n".join(inline(block) for block in blocks)


def _is_block(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") not in (
        "text",
        "hardBreak",
        *_INLINE_TEXT_ATTRS,
        "date",
        "inlineExtension",
        "placeholder",
    )


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
