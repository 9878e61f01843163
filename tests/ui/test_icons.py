"""Tray icons: every state has its own picture, told apart by shape, not colour alone."""

from __future__ import annotations

from itertools import combinations

import pytest
from PySide6.QtGui import QImage

from clockwork_desktop.ui.icons import STATES, resources_dir, state_icon


def mask(state: str, size: int) -> set[tuple[int, int]]:
    """The pixels the icon covers at ``size``: its shape, whatever the colours."""
    image = state_icon(state).pixmap(size, size).toImage()
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return {
        (x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 128
    }


def grey(state: str, size: int) -> list[int]:
    image = state_icon(state).pixmap(size, size).toImage()
    return [image.pixelColor(x, y).lightness() for y in range(size) for x in range(size)]


def test_every_state_has_a_colour_and_a_template_icon(qapp) -> None:
    assert {"idle", "running", "pending", "failed", "offline", "running-question"} <= set(STATES)
    for state in STATES:
        for suffix in ("", "-template"):
            assert (resources_dir() / "icons" / f"{state}{suffix}.svg").is_file()


@pytest.mark.parametrize("size", [16, 22])
def test_sync_states_differ_in_shape_at_tray_sizes(qapp, size: int) -> None:
    # A colour-blind user, or a monochrome panel, must still see which one it is.
    for a, b in combinations(("pending", "failed", "offline", "signed-out"), 2):
        differ = mask(a, size) ^ mask(b, size)
        assert len(differ) >= size // 2, f"{a} and {b} have the same outline at {size} px"
    for a, b in combinations(
        ("idle", "pending", "failed", "offline", "running", "paused", "signed-out"), 2
    ):
        changed = sum(abs(p - q) > 60 for p, q in zip(grey(a, size), grey(b, size), strict=True))
        assert changed >= size // 2, f"{a} and {b} look alike in grey at {size} px"


@pytest.mark.parametrize("size", [16, 22])
def test_a_waiting_question_differs_in_shape_from_every_sync_badge(qapp, size: int) -> None:
    # A guard asks the user something; the sync badges report a problem. Not to be confused,
    # on a monochrome panel either.
    for other in STATES:
        if other == "running-question":
            continue
        differ = mask("running-question", size) ^ mask(other, size)
        assert len(differ) >= size // 2, f"running-question and {other} share an outline at {size}"
        changed = sum(
            abs(p - q) > 60
            for p, q in zip(grey("running-question", size), grey(other, size), strict=True)
        )
        assert changed >= size // 2, f"running-question and {other} look alike in grey at {size}"


@pytest.mark.parametrize("size", [16, 22, 44])
def test_paused_and_signed_out_have_pictures_of_their_own(qtbot, size: int) -> None:
    # Paused is a timer that counts no time (not "no timer"); signed out is not "offline".
    for state, other in (("paused", "idle"), ("paused", "running"), ("signed-out", "offline")):
        assert state in STATES
        a = state_icon(state).pixmap(size, size).toImage()
        b = state_icon(other).pixmap(size, size).toImage()
        assert a != b, f"{state} and {other} are the same pixels at {size} px"
        png = resources_dir() / "icons" / "png" / f"{state}-{22 if size < 44 else 44}.png"
        assert png.is_file()
