"""The timeline's drawing: blocks on a vertical time axis, their geometry, tooltips and paint.

TimelineView holds what is shown (days, blocks, the block being dragged) and knows where
everything is; DayTimeline (timeline.py) adds the editing: mouse, keyboard and the signals
the tab acts on.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QToolTip, QWidget

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.state_words import state_meaning
from clockwork_desktop.ui.plaintext import tooltip
from clockwork_desktop.ui.timesheet.chart import PALETTE
from clockwork_desktop.ui.timesheet.columns import accent, issue_text

EDGE_PX = 6  # how close to a block's edge a press grabs the edge, not the block
AXIS_W = 52
HEADER_H = 24
FOOTER_H = 10  # room for the last hour's label
MIN_HOUR_PX = 40
DEFAULT_HOURS = (8, 18)
GAP_MIN_S = 5 * 60  # shorter free stretches are not worth marking

# What the user can do about a block's state on the timeline.
STATE_HINTS = {"remote": "read only here"}


class Block(NamedTuple):
    """One entry as the timeline draws it."""

    entry_id: int
    issue_key: str
    summary: str
    start: datetime  # UTC
    end: datetime  # UTC; now for a running timer
    state: str  # pending, synced, failed, running, remote...
    comment: str = ""
    breaks: tuple[tuple[datetime, datetime], ...] = ()  # pauses and discarded time away
    editable: bool = True
    source: str | None = None  # where an automatic entry came from (shown in its tooltip)

    @property
    def running(self) -> bool:
        return self.state in ("running", "paused")  # open: its end is not known yet


class Gap(NamedTuple):
    start: datetime
    end: datetime


class Drag(NamedTuple):
    block: Block
    mode: str  # "start", "end" or "move"
    column: int
    press_y: float


class TimelineView(QWidget):
    """Draws the days' blocks; knows where each one is and what lies under a point."""

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Timeline")
        self._zone = zone
        self._days: list[date] = []
        self._blocks: list[list[Block]] = []
        self._now: datetime | None = None
        self._hours = DEFAULT_HOURS
        self._projects: list[str] = []
        self.selected = 0
        self._drag: Drag | None = None
        self._draft: tuple[int, datetime, datetime, int] | None = None  # id, start, end, column

    # -- content ------------------------------------------------------------------------------

    def set_content(
        self,
        days: list[date],
        blocks: list[Block],
        now: datetime,
        hours: tuple[int, int] = DEFAULT_HOURS,
    ) -> None:
        """Show ``days``; ``blocks`` may span more (the week), which keeps colours stable."""
        self._days = list(days)
        self._now = now
        # Projects coloured as in the week's chart: in sorted order through the same palette.
        self._projects = sorted({b.issue_key.rsplit("-", 1)[0] for b in blocks})
        self._blocks = [[] for _ in days]
        for block in sorted(blocks, key=lambda b: b.start):
            for i, day in enumerate(days):
                lo, hi = self._day_bounds(day)
                if block.start < hi and block.end > lo:
                    self._blocks[i].append(block)
        first, last = hours
        for column in self._blocks:
            for block in column:
                local_start = block.start.astimezone(self._zone)
                local_end = block.end.astimezone(self._zone)
                if local_start.date() == local_end.date():
                    first = min(first, local_start.hour)
                    last = max(last, local_end.hour + (1 if local_end.minute else 0))
        self._hours = (max(0, first), min(24, max(last, first + 1)))
        if not any(b.entry_id == self.selected for b in self.blocks()):
            self.selected = 0
        self._draft = None
        self._drag = None
        self.updateGeometry()
        self.update()

    def drop_draft(self) -> None:
        """A refused change: the block goes back at once, not when the reload answers."""
        self._draft = None
        self.update()

    @property
    def dragging(self) -> bool:
        return self._drag is not None

    def days(self) -> list[date]:
        return list(self._days)

    def blocks(self, column: int | None = None) -> list[Block]:
        if column is not None:
            return list(self._blocks[column])
        seen: dict[int, Block] = {}
        for blocks in self._blocks:
            for block in blocks:
                seen.setdefault(block.entry_id, block)
        return sorted(seen.values(), key=lambda b: b.start)

    def block(self, entry_id: int) -> Block | None:
        return next((b for b in self.blocks() if b.entry_id == entry_id), None)

    def gaps(self, column: int) -> list[Gap]:
        """Free stretches between the first and last hour shown (up to now, for today)."""
        day = self._days[column]
        lo = self._at(day, self._hours[0] * 60)
        hi = self._at(day, self._hours[1] * 60)
        if self._now is not None:
            hi = min(hi, max(lo, self._now))
        found = []
        cursor = lo
        for block in self._blocks[column]:
            if block.start > cursor and (block.start - cursor).total_seconds() >= GAP_MIN_S:
                found.append(Gap(cursor, min(block.start, hi)))
            cursor = max(cursor, block.end)
        if hi > cursor and (hi - cursor).total_seconds() >= GAP_MIN_S:
            found.append(Gap(cursor, hi))
        return [g for g in found if g.end > g.start]

    # -- geometry -------------------------------------------------------------------------------

    def _day_bounds(self, day: date) -> tuple[datetime, datetime]:
        lo = datetime.combine(day, time(0), self._zone)
        hi = datetime.combine(day + timedelta(days=1), time(0), self._zone)
        return lo, hi

    def _at(self, day: date, minute: int) -> datetime:
        """The instant ``minute`` minutes after the day's local midnight."""
        lo, _ = self._day_bounds(day)
        return (lo + timedelta(minutes=minute)).astimezone(lo.tzinfo)

    def sizeHint(self) -> QSize:
        hours = self._hours[1] - self._hours[0]
        return QSize(AXIS_W + 120 * max(1, len(self._days)), HEADER_H + hours * MIN_HOUR_PX)

    def minimumSizeHint(self) -> QSize:
        hours = self._hours[1] - self._hours[0]
        return QSize(AXIS_W + 80 * max(1, len(self._days)), HEADER_H + hours * 24)

    def _px_per_minute(self) -> float:
        minutes = (self._hours[1] - self._hours[0]) * 60
        return max(1.0, self.height() - HEADER_H - FOOTER_H) / minutes

    def _column_width(self) -> float:
        return (self.width() - AXIS_W) / max(1, len(self._days))

    def column_rect(self, column: int) -> QRectF:
        w = self._column_width()
        return QRectF(AXIS_W + column * w, HEADER_H, w, self.height() - HEADER_H)

    def y_for(self, column: int, instant: datetime) -> float:
        lo, _ = self._day_bounds(self._days[column])
        minutes = (instant - lo).total_seconds() / 60 - self._hours[0] * 60
        return HEADER_H + minutes * self._px_per_minute()

    def time_at(self, column: int, y: float) -> datetime:
        minutes = (y - HEADER_H) / self._px_per_minute() + self._hours[0] * 60
        lo, _ = self._day_bounds(self._days[column])
        return (lo + timedelta(minutes=minutes)).astimezone(lo.tzinfo)

    def column_at(self, x: float) -> int | None:
        if x < AXIS_W or not self._days:
            return None
        column = int((x - AXIS_W) // self._column_width())
        return column if 0 <= column < len(self._days) else None

    def block_rect(self, entry_id: int, column: int | None = None) -> QRectF:
        """Where a block is drawn (in its first column, unless one is named)."""
        columns = range(len(self._days)) if column is None else [column]
        for c in columns:
            for block in self._blocks[c]:
                if block.entry_id == entry_id:
                    start, end, c2 = self._shown_span(block, c)
                    return self._span_rect(c2, start, end)
        return QRectF()

    def _shown_span(self, block: Block, column: int) -> tuple[datetime, datetime, int]:
        if self._draft is not None and self._draft[0] == block.entry_id:
            return self._draft[1], self._draft[2], self._draft[3]
        return block.start, block.end, column

    def _span_rect(self, column: int, start: datetime, end: datetime) -> QRectF:
        area = self.column_rect(column)
        lo, hi = self._day_bounds(self._days[column])
        top = self.y_for(column, max(start, lo))
        bottom = self.y_for(column, min(end, hi))
        return QRectF(area.left() + 3, top, area.width() - 6, max(3.0, bottom - top))

    def _hit(self, pos: QPointF) -> tuple[Block, str, int] | None:
        column = self.column_at(pos.x())
        if column is None:
            return None
        for block in reversed(self._blocks[column]):
            rect = self._span_rect(column, block.start, block.end)
            grab = rect.adjusted(0, -EDGE_PX / 2, 0, EDGE_PX / 2)
            if not grab.contains(pos):
                continue
            if rect.height() >= 3 * EDGE_PX and block.editable:
                if abs(pos.y() - rect.top()) <= EDGE_PX:
                    return block, "start", column
                if abs(pos.y() - rect.bottom()) <= EDGE_PX and not block.running:
                    return block, "end", column
            return block, "move", column
        return None

    # -- tooltips ------------------------------------------------------------------------------

    def describe(self, block: Block) -> str:
        start = block.start.astimezone(self._zone)
        end = block.end.astimezone(self._zone)
        worked = int((block.end - block.start).total_seconds()) - sum(
            int((b_end - b_start).total_seconds()) for b_start, b_end in block.breaks
        )
        lines = [
            issue_text(block.issue_key, block.summary),
            f"{start:%H:%M}–{'now' if block.running else f'{end:%H:%M}'} "
            f"({format_duration(max(0, worked))})",
            state_meaning(block.state, STATE_HINTS.get(block.state, "")),
        ]
        if block.breaks:
            away = sum(int((e - s).total_seconds()) for s, e in block.breaks)
            lines.append(f"Paused or away: {format_duration(away)} (not logged)")
        if block.source:
            lines.append(f"Source: {block.source}")
        if block.comment:
            lines.append(block.comment)
        return "\n".join(lines)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self._hit(QPointF(event.pos()))
            if hit is not None:
                QToolTip.showText(event.globalPos(), tooltip(self.describe(hit[0])), self)
            else:
                column = self.column_at(event.pos().x())
                gap = self._gap_at(column, event.pos()) if column is not None else None
                if gap is not None:
                    text = f"Free: {format_duration(int((gap.end - gap.start).total_seconds()))}"
                    QToolTip.showText(
                        event.globalPos(), tooltip(f"{text}. Double-click to log time."), self
                    )
                else:
                    QToolTip.hideText()
            return True
        return super().event(event)

    def _gap_at(self, column: int, pos: QPoint) -> Gap | None:
        clicked = self.time_at(column, pos.y())
        return next((g for g in self.gaps(column) if g.start <= clicked < g.end), None)

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._days:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.text().color()
        faint = QPen(palette.mid().color())
        faint.setWidthF(0.6)
        metrics = QFontMetricsF(self.font())
        painter.fillRect(self.rect(), palette.base())
        first, last = self._hours
        for hour in range(first, last + 1):  # the time axis
            y = HEADER_H + (hour - first) * 60 * self._px_per_minute()
            painter.setPen(faint)
            painter.drawLine(QPointF(AXIS_W - 4, y), QPointF(self.width(), y))
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y - 9, AXIS_W - 8, 18),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{hour:02d}:00",
            )
        for column, day in enumerate(self._days):
            area = self.column_rect(column)
            painter.setPen(faint)
            painter.drawLine(area.topLeft(), area.bottomLeft())
            painter.setPen(text)
            worked = sum(self._worked(b, day) for b in self._blocks[column])
            total = f" · {format_duration(worked)}" if worked else ""
            header = f"{day:%a %d %b}{total}"
            if metrics.horizontalAdvance(header) > area.width() - 4:
                header = f"{day:%a %d}{total}"  # a narrow week column: drop the month
            painter.drawText(
                QRectF(area.left(), 0, area.width(), HEADER_H),
                Qt.AlignmentFlag.AlignCenter,
                metrics.elidedText(header, Qt.TextElideMode.ElideRight, area.width() - 4),
            )
            self._paint_gaps(painter, column, metrics)
            for block in self._blocks[column]:
                self._paint_block(painter, block, column, metrics)
        if self._now is not None and self._now.astimezone(self._zone).date() in self._days:
            column = self._days.index(self._now.astimezone(self._zone).date())
            y = self.y_for(column, self._now)
            area = self.column_rect(column)
            painter.setPen(QPen(QColor("#cf222e"), 1.5))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.end()

    def _worked(self, block: Block, day: date) -> int:
        lo, hi = self._day_bounds(day)
        start, end = max(block.start, lo), min(block.end, hi)
        away = sum(max(0.0, (min(e, end) - max(s, start)).total_seconds()) for s, e in block.breaks)
        return max(0, int((end - start).total_seconds() - away))

    def _paint_gaps(self, painter: QPainter, column: int, metrics: QFontMetricsF) -> None:
        pen = QPen(self.palette().mid().color(), 1, Qt.PenStyle.DashLine)
        for gap in self.gaps(column):
            rect = self._span_rect(column, gap.start, gap.end).adjusted(4, 2, -4, -2)
            if rect.height() < 6:
                continue
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 4, 4)
            if rect.height() >= metrics.height() + 4:
                painter.setPen(self.palette().placeholderText().color())
                seconds = int((gap.end - gap.start).total_seconds())
                painter.drawText(
                    rect,
                    Qt.AlignmentFlag.AlignCenter,
                    metrics.elidedText(
                        f"gap {format_duration(seconds)}",
                        Qt.TextElideMode.ElideRight,
                        rect.width() - 4,
                    ),
                )

    def _colour(self, block: Block) -> tuple[QColor, QColor]:
        if block.running:
            return accent()
        if block.state in ("failed", "conflict"):
            return QColor("#cf222e"), QColor("#ffffff")
        project = block.issue_key.rsplit("-", 1)[0]
        order = self._projects.index(project) if project in self._projects else 0
        colour = QColor(PALETTE[order % len(PALETTE)]).darker(115)
        if block.state == "remote":
            colour = QColor("#5b6b7f")
        return colour, QColor("#ffffff")

    def _paint_block(
        self, painter: QPainter, block: Block, column: int, metrics: QFontMetricsF
    ) -> None:
        start, end, shown_column = self._shown_span(block, column)
        if shown_column != column and self._draft is not None:
            column = shown_column
        rect = self._span_rect(column, start, end)
        fill, ink = self._colour(block)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 4, 4)
        shift = start - block.start
        for b_start, b_end in block.breaks:  # paused or away: hatched, not counted
            away = self._span_rect(column, b_start + shift, b_end + shift)
            away = QRectF(rect.left(), away.top(), rect.width(), away.height())
            painter.fillRect(away, QBrush(self.palette().base().color()))
            painter.fillRect(away, QBrush(fill, Qt.BrushStyle.BDiagPattern))
            if away.height() >= metrics.height():
                painter.setPen(self.palette().text().color())
                painter.drawText(away, Qt.AlignmentFlag.AlignCenter, "away")
        if block.running:
            painter.setPen(QPen(self.palette().text().color(), 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 4, 4)
        if block.entry_id == self.selected:
            painter.setPen(QPen(self.palette().text().color(), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 5, 5)
        local_start = start.astimezone(self._zone)
        local_end = end.astimezone(self._zone)
        when = f"{local_start:%H:%M}–{'now' if block.running else f'{local_end:%H:%M}'}"
        # A running block may share its blue with a project: the ▶ and a dashed outline (its
        # end is not fixed yet) tell it apart in any palette.
        mark = "▶ " if block.running else ""
        key = f"{mark}{block.issue_key} · running" if block.running else block.issue_key
        inner = rect.adjusted(5, 2, -4, -2)
        if metrics.horizontalAdvance(f"{when}  {key}") <= inner.width():
            lines = [f"{when}  {key}"]
        else:  # a narrow week column: the key first, where it cannot be cut off ("now" and
            lines = [f"{mark}{block.issue_key}", when]  # the accent say that it runs)
        if block.summary:
            lines.append(block.summary)
        room = int(max(0.0, rect.height() - 4) // metrics.height())
        painter.setPen(ink)
        if room <= 0:
            return
        for n, line in enumerate(lines[:room]):
            painter.drawText(
                QRectF(inner.left(), inner.top() + n * metrics.height(), inner.width(), 20),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                metrics.elidedText(line, Qt.TextElideMode.ElideRight, inner.width()),
            )
