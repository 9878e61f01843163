"""The global shortcut's text: Qt's portable form, one combination, never a bare letter."""

from __future__ import annotations

import pytest

from clockwork_desktop.core.shortcut import KeyCombo, parse_shortcut, shortcut_problem


@pytest.mark.parametrize(
    ("text", "combo"),
    [
        ("Ctrl+Alt+K", KeyCombo(frozenset({"Ctrl", "Alt"}), "K")),
        ("Meta+Space", KeyCombo(frozenset({"Meta"}), "Space")),
        ("Ctrl++", KeyCombo(frozenset({"Ctrl"}), "+")),
        ("Ctrl+,", KeyCombo(frozenset({"Ctrl"}), ",")),
        ("F9", KeyCombo(frozenset(), "F9")),
    ],
)
def test_qt_portable_text_parses(text: str, combo: KeyCombo) -> None:
    assert parse_shortcut(text) == combo
    assert shortcut_problem(text) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("K", "add Ctrl, Alt or Meta"),
        ("Shift+7", "add Ctrl, Alt or Meta"),
        ("Ctrl+Alt", "Add a key to the modifiers"),
        ("Ctrl+A, Ctrl+B", "one key combination"),
        ("Hyper+K", "not a key combination"),
    ],
)
def test_what_cannot_be_a_global_shortcut_says_why(text: str, problem: str) -> None:
    assert problem in (shortcut_problem(text) or "")


def test_no_shortcut_is_allowed() -> None:
    assert shortcut_problem("") is None
