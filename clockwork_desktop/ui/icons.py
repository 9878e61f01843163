"""Tray and window icons from the SVGs in resources/ (crisp at any HiDPI scale)."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

STATES = (
    "idle",
    "running",
    "paused",  # a timer that counts no time until Continue: not the same as no timer
    "pending",
    "failed",
    "offline",
    "signed-out",  # Jira answers, but this computer has no token to send with
    "running-failed",
    "running-offline",
    "running-signed-out",
    "paused-failed",
    "paused-offline",
    "paused-signed-out",
    "running-question",  # a guard asks whether the timer should keep running
)


@cache
def resources_dir() -> Path:
    """resources/ inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).resolve().parents[1] / "resources"
    if packaged.is_dir():
        return packaged
    frozen = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle
    if frozen and (Path(frozen) / "resources").is_dir():
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


@cache
def state_icon(state: str) -> QIcon:
    """The tray icon for a state; on macOS the monochrome template, tinted by the system."""
    name = state if state in STATES else "idle"
    if sys.platform == "darwin":
        icon = QIcon(str(resources_dir() / "icons" / f"{name}-template.svg"))
        icon.setIsMask(True)
        return icon
    return QIcon(str(resources_dir() / "icons" / f"{name}.svg"))


@cache
def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / "clockwork-desktop.svg"))
