"""The picker's global shortcut on a real X server: keys sent with xdotool, grabs held by
other clients, and the app opening its picker from the shortcut."""

from __future__ import annotations

import logging
import os
import select
import shutil
import threading
from collections.abc import Iterator

import pytest

from clockwork_desktop.infra.hotkey import X11Hotkey, global_shortcut
from tests.desktop.conftest import App, Desktop, wait_for
from tests.support.xdesktop import virtual_desktop

pytestmark = pytest.mark.desktop

NEEDED = [t for t in ("Xvfb", "xdotool", "xwininfo") if shutil.which(t) is None]


@pytest.fixture
def x_server() -> Iterator[Desktop]:
    """Xvfb alone: a grab needs no tray."""
    if NEEDED:
        reason = f"global shortcut tests need {', '.join(NEEDED)} (Debian: xvfb xdotool x11-utils)"
        if os.environ.get("CLOCKWORK_REQUIRE_DESKTOP"):
            pytest.fail(reason)
        pytest.skip(reason)
    with virtual_desktop(tray=False) as desk:
        yield desk


class Presses:
    """Counts callbacks and the threads they ran on."""

    def __init__(self) -> None:
        self.count = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            self.count += 1
            self.threads.add(threading.current_thread().name)


@pytest.fixture
def hotkeys(x_server: Desktop) -> Iterator[list[X11Hotkey]]:
    made: list[X11Hotkey] = []
    yield made
    for hotkey in made:
        hotkey.close()


def new_hotkey(x_server: Desktop, made: list[X11Hotkey]) -> X11Hotkey:
    hotkey = X11Hotkey(x_server.display)  # its own connection: another client to the server
    made.append(hotkey)
    assert hotkey.available() is None
    return hotkey


def test_the_combination_reaches_the_callback_with_or_without_num_lock(
    x_server: Desktop, hotkeys: list[X11Hotkey]
) -> None:
    presses = Presses()
    hotkey = new_hotkey(x_server, hotkeys)
    assert hotkey.register("Ctrl+Alt+K", presses) is None
    x_server.xdotool("key", "ctrl+alt+k")
    wait_for(lambda: presses.count == 1, what="the shortcut's callback")
    assert presses.threads == {"x11-hotkey"}, "called on the adapter's thread, not the caller's"
    # Another combination is not ours: X never sends it, so the next press is the second call.
    x_server.xdotool("key", "ctrl+alt+j")
    x_server.xdotool("key", "Num_Lock")
    x_server.xdotool("key", "ctrl+alt+k")
    wait_for(lambda: presses.count == 2, what="the shortcut with Num Lock on")
    x_server.xdotool("key", "Num_Lock")
    x_server.xdotool("key", "ctrl+alt+j")
    x_server.xdotool("key", "ctrl+alt+k")
    wait_for(lambda: presses.count == 3, what="the shortcut with Num Lock off again")


def test_keys_another_program_holds_are_reported_and_unregister_frees_them(
    x_server: Desktop, hotkeys: list[X11Hotkey]
) -> None:
    first, second = Presses(), Presses()
    holder = new_hotkey(x_server, hotkeys)
    other = new_hotkey(x_server, hotkeys)
    assert holder.register("Ctrl+Alt+K", first) is None
    problem = other.register("Ctrl+Alt+K", second)
    assert problem is not None
    assert "Ctrl+Alt+K is already taken by another program" in problem
    x_server.xdotool("key", "ctrl+alt+k")
    wait_for(lambda: first.count == 1, what="the holder's callback")
    holder.unregister()
    assert other.register("Ctrl+Alt+K", second) is None
    x_server.xdotool("key", "ctrl+alt+k")
    wait_for(lambda: second.count == 1, what="the new holder's callback")
    assert first.count == 1


def test_a_taken_new_shortcut_keeps_the_old_one_and_close_lets_go(
    x_server: Desktop, hotkeys: list[X11Hotkey]
) -> None:
    mine, theirs = Presses(), Presses()
    hotkey = new_hotkey(x_server, hotkeys)
    other = new_hotkey(x_server, hotkeys)
    assert other.register("Ctrl+Alt+J", theirs) is None
    assert hotkey.register("Ctrl+Alt+K", mine) is None
    assert "already taken" in (hotkey.register("Ctrl+Alt+J", mine) or "")
    x_server.xdotool("key", "ctrl+alt+j")
    x_server.xdotool("key", "ctrl+alt+k")
    wait_for(lambda: mine.count == 1, what="the old shortcut, still held")
    wait_for(lambda: theirs.count == 1, what="the other program's shortcut, untouched")
    # Changing to a free key lets the old one go.
    assert hotkey.register("Meta+Space", mine) is None
    assert other.register("Ctrl+Alt+K", theirs) is None
    x_server.xdotool("key", "super+space")
    wait_for(lambda: mine.count == 2, what="Meta (Super) + Space")
    hotkey.close()
    assert hotkey.register("Ctrl+Alt+K", mine) == "The global shortcut was closed."
    assert other.register("Meta+Space", theirs) is None, "close released the grab"


# python-xlib leaves its failed TCP attempt's socket to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_what_cannot_be_grabbed_is_said(x_server: Desktop, hotkeys: list[X11Hotkey]) -> None:
    hotkey = new_hotkey(x_server, hotkeys)
    assert "other applications" in (hotkey.register("K", Presses()) or "")
    assert "not a key combination" in (hotkey.register("Hyper+K", Presses()) or "")
    unreachable = X11Hotkey(":4999")
    assert "Cannot reach the X display" in (unreachable.available() or "")
    assert unreachable.register("Ctrl+Alt+K", Presses()) == unreachable.available()


def test_wayland_macos_and_no_display_say_why() -> None:
    wayland = global_shortcut("linux", {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"})
    assert "Wayland does not let applications" in (wayland.available() or "")
    assert wayland.register("Ctrl+Alt+K", Presses()) == wayland.available()
    assert "macOS" in (global_shortcut("darwin", {}).available() or "")
    assert "no X display" in (global_shortcut("linux", {}).available() or "")
    assert isinstance(global_shortcut("linux", {"DISPLAY": ":0"}), X11Hotkey)


def test_the_apps_default_shortcut_opens_its_picker(desktop: Desktop, app: App) -> None:
    app.start()
    log = app.data / "logs" / "clockwork.log"
    wait_for(
        lambda: log.exists() and "global shortcut Ctrl+Alt+Space taken" in log.read_text(),
        what="the app to take its shortcut",
    )
    before = desktop.visible_windows()
    desktop.xdotool("key", "ctrl+alt+space")
    wait_for(lambda: desktop.visible_windows() - before, what="the picker from the shortcut")
    desktop.xdotool("type", "--delay", "20", "KEY-9")
    desktop.xdotool("key", "Return")
    running = wait_for(lambda: app.status()["running"], what="a running timer")
    assert running["issue_key"] == "KEY-9"  # type: ignore[index]


class FocusedWindow:
    """A window of the test's own that holds the keyboard focus and records the keys it gets:
    the application the user was typing in when they pressed the shortcut."""

    def __init__(self, display: str) -> None:
        from Xlib import X
        from Xlib.display import Display

        self._display = Display(display)
        screen = self._display.screen()
        self.window = screen.root.create_window(
            0, 0, 200, 100, 0, screen.root_depth,
            event_mask=X.KeyPressMask | X.KeyReleaseMask | X.StructureNotifyMask,
        )  # fmt: skip
        self.window.map()
        self._display.flush()
        while self._display.next_event().type != X.MapNotify:
            pass
        self.window.set_input_focus(X.RevertToParent, X.CurrentTime)
        self._display.sync()
        self.keys: list[tuple[str, int]] = []  # ("press" | "release", keycode)
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._record, daemon=True)
        self._thread.start()

    def keycode(self, name: str) -> int:
        from Xlib import XK

        return int(self._display.keysym_to_keycode(XK.string_to_keysym(name)))

    def count(self, kind: str, name: str) -> int:
        code = self.keycode(name)
        with self._lock:
            return sum(1 for k in self.keys if k == (kind, code))

    def _record(self) -> None:
        from Xlib import X

        while True:
            while self._display.pending_events():
                event = self._display.next_event()
                if event.type in (X.KeyPress, X.KeyRelease):
                    kind = "press" if event.type == X.KeyPress else "release"
                    with self._lock:
                        self.keys.append((kind, event.detail))
            readable, _, _ = select.select([self._display.fileno(), self._wake_r], [], [])
            if self._wake_r in readable:
                return

    def close(self) -> None:
        os.write(self._wake_w, b"x")
        self._thread.join()
        self._display.close()
        os.close(self._wake_r)
        os.close(self._wake_w)


def _autorepeat(display: str, on: bool) -> None:
    from Xlib import X
    from Xlib.display import Display

    conn = Display(display)
    try:
        mode = X.AutoRepeatModeOn if on else X.AutoRepeatModeOff
        conn.change_keyboard_control(auto_repeat_mode=mode)
        conn.sync()
    finally:
        conn.close()


def test_keys_typed_while_the_combination_is_held_reach_the_focused_window(
    x_server: Desktop, hotkeys: list[X11Hotkey]
) -> None:
    """With autorepeat off, so that the keys typed are the only events besides the shortcut;
    the repeats of a held shortcut have a test of their own below."""
    _autorepeat(x_server.display, on=False)
    presses = Presses()
    hotkey = new_hotkey(x_server, hotkeys)
    assert hotkey.register("Ctrl+Alt+K", presses) is None
    focused = FocusedWindow(x_server.display)
    try:
        x_server.xdotool("keydown", "ctrl+alt+k")
        wait_for(lambda: presses.count == 1, what="the shortcut's callback")
        assert hotkey.register("Ctrl+Alt+K", presses) is None  # after every key sent so far
        x_server.xdotool("key", "a", "b")
        wait_for(
            lambda: focused.count("press", "a") == 1 and focused.count("press", "b") == 1,
            what="keys typed while the shortcut is held to reach the focused window",
        )
        # Let go of K alone and press it again: a new press, so exactly one more call.
        x_server.xdotool("keyup", "k")
        x_server.xdotool("keydown", "k")
        assert hotkey.register("Ctrl+Alt+K", presses) is None
        assert presses.count == 2, "one call per press"
        x_server.xdotool("keyup", "k", "alt", "ctrl")
        x_server.xdotool("key", "c")
        wait_for(lambda: focused.count("press", "c") == 1, what="a key typed after letting go")
        assert focused.count("press", "k") == 0, "the shortcut itself stays ours"
    finally:
        focused.close()


def test_holding_the_combination_opens_the_picker_once(
    x_server: Desktop, hotkeys: list[X11Hotkey], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="clockwork_desktop.infra.hotkey")
    _autorepeat(x_server.display, on=True)
    presses = Presses()
    hotkey = new_hotkey(x_server, hotkeys)
    assert hotkey.register("Ctrl+Alt+K", presses) is None
    x_server.xdotool("keydown", "ctrl+alt+k")
    wait_for(lambda: presses.count == 1, what="the shortcut's callback")
    # Held, X repeats K (a release and a press at one instant, both caught by the grab).
    wait_for(lambda: caplog.text.count("repeats while held") >= 2, what="X to repeat K")
    x_server.xdotool("keyup", "k", "alt", "ctrl")
    assert hotkey.register("Ctrl+Alt+K", presses) is None  # after every key sent so far
    assert presses.count == 1, "one call for the press, none for its repeats"
