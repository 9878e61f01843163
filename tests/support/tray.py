"""Helpers for tests that drive the tray controller."""

from __future__ import annotations

from typing import Any


def refreshed(qtbot: Any, controller: Any) -> None:
    """Ask the tray to re-read its state and wait until it shows it (the read runs on the
    DB worker, so ``refresh()`` returns before the menu changes)."""
    with qtbot.waitSignal(controller.refreshed, timeout=3000):
        controller.refresh()
