"""Rounding policy applied when an entry is pushed to Jira, and Jira's one-minute minimum."""

from __future__ import annotations

import enum

from clockwork_desktop.core.errors import InputError

JIRA_MIN_WORKLOG_S = 60
ALLOWED_STEPS_MIN = (1, 5, 6, 10, 15, 30)


class RoundingMode(enum.StrEnum):
    NONE = "none"
    UP = "up"
    NEAREST = "nearest"


class RoundingPolicy:
    """How tracked seconds become logged seconds. Immutable and comparable by value."""

    __slots__ = ("mode", "step_minutes")

    def __init__(self, mode: RoundingMode = RoundingMode.NONE, step_minutes: int = 1) -> None:
        if mode is not RoundingMode.NONE and step_minutes not in ALLOWED_STEPS_MIN:
            allowed = ", ".join(map(str, ALLOWED_STEPS_MIN))
            raise InputError(f"Rounding step must be one of {allowed} minutes.")
        self.mode = mode
        self.step_minutes = step_minutes if mode is not RoundingMode.NONE else 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RoundingPolicy):
            return NotImplemented
        return (self.mode, self.step_minutes) == (other.mode, other.step_minutes)

    def __hash__(self) -> int:
        return hash((self.mode, self.step_minutes))

    def __repr__(self) -> str:
        return f"RoundingPolicy({self.describe()!r})"

    @classmethod
    def parse(cls, text: str) -> RoundingPolicy:
        """Parse ``none``, ``up:15`` or ``nearest:5``."""
        mode_text, _, step_text = text.strip().lower().partition(":")
        try:
            mode = RoundingMode(mode_text)
        except ValueError:
            raise InputError(
                f"Unknown rounding {text!r}: use none, up:STEP or nearest:STEP "
                f"with STEP in {', '.join(map(str, ALLOWED_STEPS_MIN))} minutes."
            ) from None
        if mode is RoundingMode.NONE:
            return cls()
        try:
            step = int(step_text or "1")
        except ValueError:
            raise InputError(
                f"Rounding step must be a whole number of minutes: {text!r}."
            ) from None
        return cls(mode, step)

    def describe(self) -> str:
        if self.mode is RoundingMode.NONE:
            return "none"
        return f"{self.mode.value}:{self.step_minutes}"

    def apply(self, seconds: int) -> int:
        """Seconds that will be logged for ``seconds`` tracked."""
        if seconds <= 0:
            return 0
        if self.mode is RoundingMode.NONE:
            return seconds
        step = self.step_minutes * 60
        if self.mode is RoundingMode.UP:
            return -(-seconds // step) * step
        # Round half up, so 7m30s with a 15-minute step logs 15m, never 0 for visible work.
        rounded = ((seconds + step // 2) // step) * step
        return rounded


def is_loggable(log_seconds: int) -> bool:
    """Jira refuses worklogs under one minute."""
    return log_seconds >= JIRA_MIN_WORKLOG_S
