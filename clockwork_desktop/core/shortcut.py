"""The picker's global shortcut as text: what it means and whether it can be taken.

Settings keep Qt's portable text ("Ctrl+Alt+K", "Meta+Space", "Ctrl++"). The adapters in infra
turn it into their platform's key codes; the rules below are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")  # Meta is the Windows/Super/Command key
FUNCTION_KEYS = frozenset(f"F{n}" for n in range(1, 36))


class KeyCombo(NamedTuple):
    modifiers: frozenset[str]
    key: str  # Qt's name for it: "K", "Space", "F5", "+"


def parse_shortcut(text: str) -> KeyCombo:
    """Split Qt's portable text into modifiers and one key; ValueError says what is wrong."""
    text = text.strip()
    if not text:
        raise ValueError("No shortcut given.")
    if ", " in text:  # Qt's separator between the steps of a sequence
        raise ValueError("Use one key combination, not a sequence of them.")
    if text.endswith("++"):  # the plus key itself
        head, key = text[:-2], "+"
    elif text == "+":
        head, key = "", "+"
    else:
        head, _, key = text.rpartition("+")
    parts = [p for p in head.split("+") if p] if head else []
    unknown = [p for p in parts if p not in MODIFIERS]
    if unknown or not key:
        raise ValueError(f"{text!r} is not a key combination this app understands.")
    if key in MODIFIERS:
        raise ValueError("Add a key to the modifiers, for example Ctrl+Alt+K.")
    return KeyCombo(frozenset(parts), key)


def shortcut_problem(text: str) -> str | None:
    """Why this cannot be the global shortcut, or None (empty means no shortcut at all)."""
    if not text.strip():
        return None
    try:
        combo = parse_shortcut(text)
    except ValueError as exc:
        return str(exc)
    if combo.key not in FUNCTION_KEYS and not combo.modifiers & {"Ctrl", "Alt", "Meta"}:
        # A grab of "K" or "Shift+K" would take that letter away from every application.
        return (
            f"{text} would stop that key from typing in other applications: add Ctrl, Alt "
            "or Meta, for example Ctrl+Alt+K."
        )
    return None


class ShortcutSupport(NamedTuple):
    """What the running app can do about a global shortcut.

    ``claim`` takes the key at once (blocking briefly, so never on the GUI thread) and answers
    with a problem, such as another program holding it; the key it held before stays until
    a claim succeeds.
    """

    available: bool
    reason: str  # why not, when it is not available
    claim: Callable[[str], str | None] | None = None


NO_SHORTCUT = ShortcutSupport(False, "")
