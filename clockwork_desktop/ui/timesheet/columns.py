"""Column numbers, item roles and shared formatting for the week models.

Views and tests address cells by name (``WeekColumn.TOTAL``) rather than by number, and read
raw values through custom roles (``WeekRole.SECONDS``) rather than by parsing display text, as
well-kept Qt models do.
"""

from __future__ import annotations

import enum
from datetime import date

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from clockwork_desktop.core.durations import format_duration

DAYS_IN_WEEK = 7


class WeekColumn(enum.IntEnum):
    """My week and the team share this layout; the team adds expected and difference."""

    LABEL = 0  # the issue (my week) or the person / issue (team)
    FIRST_DAY = 1
    LAST_DAY = FIRST_DAY + DAYS_IN_WEEK - 1
    TOTAL = LAST_DAY + 1
    EXPECTED = TOTAL + 1
    DIFFERENCE = EXPECTED + 1

    @staticmethod
    def day(column: int) -> int | None:
        """The day's position in the week for a day column, else None."""
        if WeekColumn.FIRST_DAY <= column <= WeekColumn.LAST_DAY:
            return column - WeekColumn.FIRST_DAY
        return None


class WeekRole(enum.IntEnum):
    SECONDS = Qt.ItemDataRole.UserRole + 1  # the cell's seconds as an int
    STATE = Qt.ItemDataRole.UserRole + 2  # pending, synced, failed, running... ("" if empty)
    ISSUE_KEY = Qt.ItemDataRole.UserRole + 3  # the row's issue key (None on other rows)
    ACCOUNT_ID = Qt.ItemDataRole.UserRole + 4  # the row's person (team model)
    DAY = Qt.ItemDataRole.UserRole + 5  # the column's date, for day columns


ROLE_NAMES: dict[int, QByteArray] = {
    WeekRole.SECONDS: QByteArray(b"seconds"),
    WeekRole.STATE: QByteArray(b"state"),
    WeekRole.ISSUE_KEY: QByteArray(b"issueKey"),
    WeekRole.ACCOUNT_ID: QByteArray(b"accountId"),
    WeekRole.DAY: QByteArray(b"day"),
}

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# Over and under the expected hours: green and red dark enough for a light base, light enough
# for a dark one (both reach AA contrast against the view's background).
OVER_UNDER_LIGHT = (QColor("#1a7f37"), QColor("#cf222e"))
OVER_UNDER_DARK = (QColor("#56d364"), QColor("#ff8982"))
# The sync states' pastel backgrounds are light in every theme: their text is always dark.
PASTEL_INK = QColor("#1f2328")


def duration_text(seconds: int) -> str:
    """The one duration format of the window: table, chart and timeline all say ``1h 36m``."""
    return format_duration(seconds) if seconds else ""


def signed_text(seconds: int) -> str:
    if seconds == 0:
        return "0"
    return ("+" if seconds > 0 else "−") + format_duration(abs(seconds))


def day_header(day: date) -> str:
    return day.strftime("%a %d")


def issue_text(key: str, summary: str) -> str:
    """An issue as people read it: key and summary (plain text; views never render markup)."""
    return f"{key}  {summary}".strip() if summary else key


MIN_CONTRAST = 4.5  # WCAG AA for normal text


def _luminance(colour: QColor) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def accent() -> tuple[QColor, QColor]:
    """The platform's accent colour and the text colour meant for it, the accent darkened or
    lightened until the two reach AA contrast (Fusion's own blue with white text does not)."""
    palette = QGuiApplication.palette()
    background = palette.color(QPalette.ColorRole.Highlight)
    text = palette.color(QPalette.ColorRole.HighlightedText)
    text_is_light = _luminance(text) > _luminance(background)
    for _ in range(20):
        if contrast(background, text) >= MIN_CONTRAST:
            break
        background = background.darker(110) if text_is_light else background.lighter(110)
    return background, text


def over_under() -> tuple[QColor, QColor]:
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return OVER_UNDER_DARK if _luminance(base) < 0.2 else OVER_UNDER_LIGHT
