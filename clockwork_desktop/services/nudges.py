"""Nudges: away from the keyboard or asleep, reminders, working hours and the guards.

The tray asks this service, with an injected clock, whether to tell the user something:
the machine slept (``woke_up``), input came back after a long pause (``idle_period``, for the
away question), no timer runs during working hours or one runs outside them (reminders), a
timer has run very long or past midnight (the guards, answered with "keep" or "stop").

What the tray shows from here, the guard waiting for an answer, is one immutable value,
``warning``, replaced as a whole. The minute's check runs in one store transaction on the
thread that owns the database; nothing here waits on the network or a file.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from clockwork_desktop.core.attention import GUARD_ANSWERS, Guard, GuardAnswer, guard_for
from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import AwayPeriod, Entry
from clockwork_desktop.core.ports import GuardAnswers, Notifier, Transactional
from clockwork_desktop.core.timer import WAKE_GAP_THRESHOLD_S
from clockwork_desktop.services.preferences import PreferencesService
from clockwork_desktop.services.tracker import TrackerService

log = get_logger(__name__)

REMIND_EVERY = timedelta(hours=1)
OUTSIDE_HOURS_GRACE_S = 15 * 60


class CollectingNotifier:
    """Keeps notifications for whoever asks later (the command line, the tests)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, tuple[str, ...]]] = []

    def notify(self, title: str, message: str, actions: tuple[str, ...] = ()) -> None:
        log.info("notification: %s: %s", title, message)
        self.shown.append((title, message, actions))


class NudgeService:
    def __init__(
        self,
        tracker: TrackerService,
        preferences: PreferencesService,
        answers: GuardAnswers,
        db: Transactional,
        clock: Clock,
        notifier: Notifier,
    ) -> None:
        self._tracker = tracker
        self._preferences = preferences
        self._answers = answers
        self._db = db
        self._clock = clock
        self.notifier = notifier
        self._last_tick: datetime | None = None
        self._idle_since: datetime | None = None
        self._reminded_at: datetime | None = None
        self._told_outside: int | None = None
        self._state = threading.Lock()  # guards ``_warning``; never held across I/O
        self._warning: Guard | None = None

    # -- what the tray shows --------------------------------------------------------------------

    @property
    def warning(self) -> Guard | None:
        """The guard waiting for an answer (an immutable value, replaced as a whole)."""
        return self._warning

    def _set_warning(self, guard: Guard | None) -> None:
        with self._state:
            self._warning = guard

    # -- sleep and idle ---------------------------------------------------------------------

    def woke_up(self) -> bool:
        """Called often (every second): True once after the machine slept.

        One threshold for everything: the heartbeat's (core.timer.WAKE_GAP_THRESHOLD_S).
        """
        now = self._clock.now()
        last, self._last_tick = self._last_tick, now
        if last is not None and (now - last).total_seconds() > WAKE_GAP_THRESHOLD_S:
            log.info("woke up after %s", now - last)
            return True
        return False

    def last_awake(self) -> datetime | None:
        """When the machine was last seen awake (by ``woke_up``); None before the first look."""
        return self._last_tick

    def idle_period(self, idle_seconds: float | None, *, asking: bool = False) -> AwayPeriod | None:
        """The idle stretch to ask about, once input returns after a long pause."""
        running = self._tracker.running()
        if idle_seconds is None or running is None or running.paused or asking:
            return None
        threshold_min = self._preferences.current().idle_threshold_min
        if not threshold_min:
            return None
        now = self._clock.now()
        if idle_seconds >= threshold_min * 60:
            if self._idle_since is None:
                self._idle_since = now - timedelta(seconds=idle_seconds)
            return None
        if self._idle_since is None:
            return None
        period = AwayPeriod(self._idle_since, now, "idle")
        self._idle_since = None
        return period

    # -- the minute's check: guards and reminders ---------------------------------------------

    def tick(self) -> None:
        """Once a minute: the guards and the reminders, as one transaction (on the thread
        that owns the database)."""
        self._db.transaction(self._tick)

    def _tick(self) -> None:
        now = self._clock.now()
        running = self._tracker.running()
        self._guard(now, running)
        self._reminders(now, running)

    def _reminders(self, now: datetime, running: Entry | None) -> None:
        chosen = self._preferences.current()
        working = chosen.working_hours().working(now, self._tracker.zone)
        if running is None:
            due = self._reminded_at is None or now - self._reminded_at >= REMIND_EVERY
            if chosen.remind_no_timer and working and due:
                self._reminded_at = now
                self.notifier.notify("No timer running", "Click the tray icon to start one.")
            return
        elapsed = running.duration_seconds(now)
        if not working and self._told_outside != running.id and elapsed > OUTSIDE_HOURS_GRACE_S:
            self._told_outside = running.id
            self.notifier.notify(
                "Timer running outside working hours",
                f"{running.issue_key} is still running. Stop it if you are done.",
            )

    def _guard(self, now: datetime, running: Entry | None) -> None:
        if running is None:
            self._set_warning(None)
            return
        guard = guard_for(
            running.id,
            running.issue_key,
            running.started_at,
            running.duration_seconds(now),
            now,
            self._tracker.zone,
            float(self._preferences.current().long_timer_hours or 0),
        )
        answered = set(self._answers.answered_guards())
        if guard is None or (guard.entry_id, guard.kind) in answered:
            self._set_warning(None)
            return
        if self.warning != guard:
            self._set_warning(guard)
            self.notifier.notify("Timer still running", guard.message, ("Keep running", "Stop"))

    def answer_guard(self, action: GuardAnswer) -> None:
        """``keep``: the warning goes until the next guard; ``stop``: the timer stops now."""
        if action not in GUARD_ANSWERS:
            raise InputError(f"Answer keep or stop, not {action!r}.")
        guard = self.warning
        if guard is None:
            return
        answered = self._answers.answered_guards()
        answered.append((guard.entry_id, guard.kind))
        self._answers.set_answered_guards(answered)
        self._set_warning(None)
        if action == "stop":
            self._tracker.stop()
