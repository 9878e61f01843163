"""The picker's global shortcut, per platform (the `GlobalShortcut` port).

X11: our own connection grabs the one key combination on the root window (XGrabKey through
python-xlib), and a background thread reads that connection's events. The X server sends us
that combination and nothing else: we never see what is typed elsewhere, unlike listeners
built on the RECORD extension (pynput's), which receive every key of every application.

Pressing the combination turns the passive grab into an active grab of the whole keyboard, and
X would then send us every key until the grabbed key is released. So on each of our presses we
end that active grab at once (UngrabKeyboard, with the press's own timestamp): keys typed while
the combination is still held, and the grabbed key's release, go to the focused application.
X's autorepeat of the held key catches the passive grab again; the server delivers it as a
release and a press with one timestamp, both to us, while a real release went to the focused
application: so a press right after our own release at its very instant is a repeat.

Windows: RegisterHotKey (``hotkey_windows``). Wayland lets no application take a key for itself,
and macOS is not done yet: there Settings shows how to bind the desktop's own shortcut to
`clockwork-desktop pick`.
"""

from __future__ import annotations

import os
import select
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING, Any, TypeVar

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.ports import GlobalShortcut
from clockwork_desktop.core.shortcut import KeyCombo, parse_shortcut, shortcut_problem

if TYPE_CHECKING:
    from Xlib.display import Display
    from Xlib.protocol.rq import Event

log = get_logger(__name__)

T = TypeVar("T")
ANSWER_TIMEOUT_S = 5.0  # a local X server answers in milliseconds; a dead one never

# Qt's key names that X spells differently (letters, digits and F-keys need no entry).
X_KEYSYM_NAMES = {
    "Space": "space",
    "Esc": "Escape",
    "Enter": "KP_Enter",
    "Backspace": "BackSpace",
    "Ins": "Insert",
    "Del": "Delete",
    "PgUp": "Prior",
    "PgDown": "Next",
    "ScrollLock": "Scroll_Lock",
    "NumLock": "Num_Lock",
    "CapsLock": "Caps_Lock",
    "SysReq": "Sys_Req",
}


class Unsupported:
    """No global shortcut here; ``reason`` says why (Settings shows it with the `pick` hint)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def available(self) -> str | None:
        return self.reason

    def register(self, spec: str, callback: Callable[[], None]) -> str | None:
        return self.reason

    def unregister(self) -> None:
        pass

    def close(self) -> None:
        pass


class X11Hotkey:
    """One grabbed key combination on an X server, watched by a thread of its own.

    Every X call runs on that thread: the others hand it work through a queue and wake it
    through a pipe, so one connection is never used from two threads. Work runs after the
    events the server sent before it (a round trip first), so a call to `register` returns
    only once every press already made has been handled.
    """

    def __init__(self, display: str | None = None) -> None:
        self._display_name = display
        self._display: Display | None = None
        self._problem: str | None = None
        self._thread: threading.Thread | None = None
        self._work: SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = SimpleQueue()
        self._wake_r, self._wake_w = -1, -1
        self._stopping = False
        self._start_lock = threading.Lock()
        # Touched only on the X thread:
        self._held: tuple[KeyCombo, int, int] | None = None  # combo, keycode, modifier mask
        self._callback: Callable[[], None] | None = None
        self._released_at = -1  # when the held key went up: a press at that instant repeats

    # -- the port ---------------------------------------------------------------------------

    def available(self) -> str | None:
        with self._start_lock:
            if self._thread is None and self._problem is None:
                self._start()
            return self._problem

    def register(self, spec: str, callback: Callable[[], None]) -> str | None:
        problem = shortcut_problem(spec)
        if problem is None and not spec.strip():
            problem = "No shortcut given."
        if problem is not None:
            return problem
        reason = self.available()
        if reason is not None:
            return reason
        combo = parse_shortcut(spec)
        return self._on_x_thread(lambda: self._grab(spec, combo, callback))

    def unregister(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._on_x_thread(self._release)

    def close(self) -> None:
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._on_x_thread(self._release)
        self._problem = "The global shortcut was closed."
        self._stopping = True
        os.write(self._wake_w, b"x")
        thread.join(ANSWER_TIMEOUT_S)

    # -- start and the thread -------------------------------------------------------------------

    def _start(self) -> None:
        try:
            from Xlib import error
            from Xlib.display import Display
        except ImportError:
            self._problem = "python-xlib is not installed, so no global shortcut can be set."
            return
        try:
            self._display = Display(self._display_name)
        except (error.DisplayError, error.ConnectionClosedError, OSError) as exc:
            log.info("no X display for the global shortcut: %s", exc)
            self._problem = f"Cannot reach the X display ({exc})."
            return
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="x11-hotkey", daemon=True)
        self._thread.start()

    def _on_x_thread(self, work: Callable[[], T]) -> T | str:
        thread = self._thread
        if thread is None or not thread.is_alive():
            return self._problem or "The connection to the X display was lost."
        done: Future[T] = Future()
        self._work.put((work, done))
        os.write(self._wake_w, b"w")
        try:
            return done.result(ANSWER_TIMEOUT_S)
        except TimeoutError:
            return "The X display did not answer."

    def _run(self) -> None:
        from Xlib import error

        display = self._display
        assert display is not None
        try:
            while not self._stopping:
                while display.pending_events():
                    self._handle(display.next_event())
                readable, _, _ = select.select([display.fileno(), self._wake_r], [], [])
                if self._wake_r in readable:
                    os.read(self._wake_r, 64)
                    # Work runs after every key the server sent before it was asked for.
                    display.sync()
                    while display.pending_events():
                        self._handle(display.next_event())
                    self._do_work()
        except error.ConnectionClosedError as exc:
            log.warning("the X display closed; the global shortcut is gone: %s", exc)
            self._problem = "The connection to the X display was lost."
        finally:
            self._stopping = True
            self._do_work(answer=self._problem or "The connection to the X display was lost.")
            try:
                display.close()
            except Exception:  # closing a connection the server already dropped
                log.debug("closing the X connection failed", exc_info=True)
            os.close(self._wake_r)
            os.close(self._wake_w)

    def _do_work(self, answer: str | None = None) -> None:
        """Run what other threads asked for; once stopping, only ``answer`` them."""
        while True:
            try:
                work, done = self._work.get_nowait()
            except Empty:
                return
            if answer is not None:
                done.set_result(answer)
                continue
            try:
                done.set_result(work())
            except Exception as exc:  # an X error we did not expect: reported, not raised
                log.warning("global shortcut: %s", exc, exc_info=True)
                done.set_result(f"The X display refused the shortcut ({exc}).")

    def _handle(self, event: Event) -> None:
        from Xlib import X

        held, callback = self._held, self._callback
        if held is None or callback is None or getattr(event, "detail", None) != held[1]:
            return
        if event.type == X.KeyRelease:
            self._released_at = event.time
            return
        if event.type != X.KeyPress:
            return
        # The passive grab became an active grab of the whole keyboard: give it back now, so
        # that the next key typed reaches the focused application, not us.
        display = self._display
        assert display is not None
        display.ungrab_keyboard(event.time)
        display.flush()
        if event.time == self._released_at:
            log.debug("the global shortcut repeats while held: ignored")
        else:
            try:
                callback()
            except Exception:
                log.exception("the global shortcut's callback failed")

    # -- on the X thread --------------------------------------------------------------------

    def _grab(self, spec: str, combo: KeyCombo, callback: Callable[[], None]) -> str | None:
        from Xlib import X, error

        display = self._display
        assert display is not None
        if self._held is not None and self._held[0] == combo:
            self._callback = callback
            return None
        keysym = _keysym(combo.key)
        keycode = display.keysym_to_keycode(keysym) if keysym else 0
        if not keycode:
            return f"No key on this keyboard types {combo.key}."
        masks = _modifier_masks(display)
        wanted = 0
        for name in combo.modifiers:
            wanted |= masks[name]
        root = display.screen().root
        refused = error.CatchError(error.BadAccess)
        variants = _with_locks(wanted, masks["NumLock"])
        for mods in variants:
            root.grab_key(keycode, mods, False, X.GrabModeAsync, X.GrabModeAsync, refused)
        display.sync()
        if refused.get_error() is not None:
            for mods in variants:
                root.ungrab_key(keycode, mods)
            display.sync()
            return (
                f"{spec} is already taken by another program (often the desktop itself): "
                "choose another shortcut."
            )
        self._release()  # the previous key, now that the new one is ours
        self._held = (combo, keycode, wanted)
        self._callback = callback
        log.info("global shortcut %s taken", spec)
        return None

    def _release(self) -> None:
        display = self._display
        if self._held is None or display is None:
            return
        _combo, keycode, wanted = self._held
        root = display.screen().root
        for mods in _with_locks(wanted, _modifier_masks(display)["NumLock"]):
            root.ungrab_key(keycode, mods)
        display.sync()
        self._held = None
        self._callback = None


def _keysym(key: str) -> int:
    from Xlib import XK

    name = X_KEYSYM_NAMES.get(key, key)
    if len(name) == 1:
        if name.isalpha():
            name = name.lower()  # X grabs the key; the keysym of its unshifted letter
        elif 0x20 <= ord(name) <= 0xFF:
            return ord(name)  # Latin-1 keysyms are their code points
    return int(XK.string_to_keysym(name))


def _modifier_masks(display: Display) -> dict[str, int]:
    """Which ModN bit Alt, Meta (Super) and NumLock are on this server (they can move)."""
    from Xlib import XK, X

    found: dict[str, int] = {}
    wanted = {
        XK.XK_Alt_L: "Alt",
        XK.XK_Alt_R: "Alt",
        XK.XK_Meta_L: "Alt",
        XK.XK_Super_L: "Meta",
        XK.XK_Super_R: "Meta",
        XK.XK_Num_Lock: "NumLock",
    }
    mod_masks = (X.Mod1Mask, X.Mod2Mask, X.Mod3Mask, X.Mod4Mask, X.Mod5Mask)
    for index, keycodes in enumerate(display.get_modifier_mapping()[3:]):
        for keycode in keycodes:
            name = wanted.get(display.keycode_to_keysym(keycode, 0)) if keycode else None
            if name is not None:
                found.setdefault(name, mod_masks[index])
    return {
        "Shift": X.ShiftMask,
        "Ctrl": X.ControlMask,
        "Alt": found.get("Alt", X.Mod1Mask),
        "Meta": found.get("Meta", X.Mod4Mask),
        "NumLock": found.get("NumLock", X.Mod2Mask),
    }


def _with_locks(mods: int, num_lock: int) -> tuple[int, ...]:
    """The grab with each state of Caps Lock and Num Lock: X matches modifiers exactly."""
    from Xlib import X

    return (mods, mods | X.LockMask, mods | num_lock, mods | X.LockMask | num_lock)


def global_shortcut(
    platform: str = sys.platform, environ: Mapping[str, str] = os.environ
) -> GlobalShortcut:
    """The adapter for this session; `Unsupported` says why where there is none."""
    if platform == "win32":
        return _windows()
    if platform == "darwin":
        return Unsupported("On macOS Clockwork Desktop does not set a global shortcut itself.")
    if environ.get("XDG_SESSION_TYPE") == "wayland" or environ.get("WAYLAND_DISPLAY"):
        return Unsupported("Wayland does not let applications set global shortcuts.")
    if not environ.get("DISPLAY"):
        return Unsupported("There is no X display to set a global shortcut on.")
    return X11Hotkey(environ["DISPLAY"])


def _windows() -> GlobalShortcut:
    if sys.platform == "win32":  # mypy checks this branch with --platform win32 only
        from clockwork_desktop.infra.hotkey_windows import WindowsHotkey

        return WindowsHotkey()
    return Unsupported("RegisterHotKey exists only on Windows.")
