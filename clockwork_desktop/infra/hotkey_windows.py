"""The global shortcut on Windows: RegisterHotKey on a thread with its own message queue.

Untested: no Windows machine runs this project's tests. It is type-checked with
``mypy --platform win32``. Windows posts WM_HOTKEY for the registered combination only; no
other keystroke reaches us.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from ctypes import wintypes
from queue import Empty, SimpleQueue
from typing import Any

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.shortcut import KeyCombo, parse_shortcut, shortcut_problem

assert sys.platform == "win32"  # imported only there (infra.hotkey.global_shortcut)

log = get_logger(__name__)

WM_HOTKEY = 0x0312
WM_APP = 0x8000  # "look at the work queue"
WM_QUIT = 0x0012
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
HOTKEY_ID = 1
MOD_FLAGS = {"Alt": 0x0001, "Ctrl": 0x0002, "Shift": 0x0004, "Meta": 0x0008}
MOD_NOREPEAT = 0x4000  # holding the keys down sends one WM_HOTKEY
ANSWER_TIMEOUT_S = 5.0
VIRTUAL_KEYS = {
    "Space": 0x20,
    "PgUp": 0x21,
    "PgDown": 0x22,
    "End": 0x23,
    "Home": 0x24,
    "Left": 0x25,
    "Up": 0x26,
    "Right": 0x27,
    "Down": 0x28,
    "Print": 0x2C,
    "Ins": 0x2D,
    "Del": 0x2E,
    "Backspace": 0x08,
    "Tab": 0x09,
    "Return": 0x0D,
    "Enter": 0x0D,
    "Esc": 0x1B,
    "Pause": 0x13,
}

user32 = ctypes.WinDLL("user32", use_last_error=True)
kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
user32.RegisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int, wintypes.UINT, wintypes.UINT]
user32.RegisterHotKey.restype = wintypes.BOOL
user32.UnregisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int]
user32.UnregisterHotKey.restype = wintypes.BOOL
user32.GetMessageW.argtypes = [
    ctypes.POINTER(wintypes.MSG),
    wintypes.HWND,
    wintypes.UINT,
    wintypes.UINT,
]
user32.GetMessageW.restype = wintypes.BOOL
user32.PeekMessageW.argtypes = [
    ctypes.POINTER(wintypes.MSG),
    wintypes.HWND,
    wintypes.UINT,
    wintypes.UINT,
    wintypes.UINT,
]
user32.PostThreadMessageW.argtypes = [
    wintypes.DWORD,
    wintypes.UINT,
    wintypes.WPARAM,
    wintypes.LPARAM,
]
user32.PostThreadMessageW.restype = wintypes.BOOL
kernel32.GetCurrentThreadId.restype = wintypes.DWORD


def _virtual_key(key: str) -> int | None:
    if key in VIRTUAL_KEYS:
        return VIRTUAL_KEYS[key]
    if len(key) == 1 and (key.isascii() and key.isalnum()):
        return ord(key.upper())
    if key.startswith("F") and key[1:].isdigit() and 1 <= int(key[1:]) <= 24:
        return 0x70 + int(key[1:]) - 1
    return None


class WindowsHotkey:
    def __init__(self) -> None:
        self._work: SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._thread_id = 0
        self._ready = threading.Event()
        self._held: KeyCombo | None = None
        self._callback: Callable[[], None] | None = None

    def available(self) -> str | None:
        return None

    def register(self, spec: str, callback: Callable[[], None]) -> str | None:
        problem = shortcut_problem(spec) or (None if spec.strip() else "No shortcut given.")
        if problem is not None:
            return problem
        combo = parse_shortcut(spec)
        vk = _virtual_key(combo.key)
        if vk is None:
            return f"{combo.key} cannot be used in a global shortcut on Windows."
        answer: str | None = self._on_thread(lambda: self._register(spec, combo, vk, callback))
        return answer

    def unregister(self) -> None:
        if self._thread is not None:
            self._on_thread(self._release)

    def close(self) -> None:
        if self._thread is None:
            return
        self._on_thread(self._release)
        user32.PostThreadMessageW(self._thread_id, WM_QUIT, 0, 0)
        self._thread.join(ANSWER_TIMEOUT_S)
        self._thread = None

    def _on_thread(self, work: Callable[[], Any]) -> Any:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="win-hotkey", daemon=True)
            self._thread.start()
            self._ready.wait(ANSWER_TIMEOUT_S)
        done: Future[Any] = Future()
        self._work.put((work, done))
        user32.PostThreadMessageW(self._thread_id, WM_APP, 0, 0)
        try:
            return done.result(ANSWER_TIMEOUT_S)
        except TimeoutError:
            return "Windows did not answer."

    def _run(self) -> None:
        msg = wintypes.MSG()
        self._thread_id = int(kernel32.GetCurrentThreadId())
        user32.PeekMessageW(ctypes.byref(msg), None, 0, 0, 0)  # creates this thread's queue
        self._ready.set()
        while user32.GetMessageW(ctypes.byref(msg), None, 0, 0) > 0:
            if msg.message == WM_HOTKEY and msg.wParam == HOTKEY_ID and self._callback:
                try:
                    self._callback()
                except Exception:
                    log.exception("the global shortcut's callback failed")
            elif msg.message == WM_APP:
                self._do_work()
        self._release()

    def _do_work(self) -> None:
        while True:
            try:
                work, done = self._work.get_nowait()
            except Empty:
                return
            try:
                done.set_result(work())
            except Exception as exc:
                done.set_result(f"Windows refused the shortcut ({exc}).")

    def _register(
        self, spec: str, combo: KeyCombo, vk: int, callback: Callable[[], None]
    ) -> str | None:
        if combo == self._held:
            self._callback = callback
            return None
        previous, previous_callback = self._held, self._callback
        self._release()  # one id per thread: the old key goes first, and comes back on failure
        flags = MOD_NOREPEAT
        for name in combo.modifiers:
            flags |= MOD_FLAGS[name]
        if not user32.RegisterHotKey(None, HOTKEY_ID, flags, vk):
            code = ctypes.get_last_error()
            if previous is not None and previous_callback is not None:
                back = _virtual_key(previous.key) or 0
                self._register(spec, previous, back, previous_callback)
            if code == ERROR_HOTKEY_ALREADY_REGISTERED:
                return f"{spec} is already taken by another program: choose another shortcut."
            return f"Windows refused {spec} (error {code})."
        self._held, self._callback = combo, callback
        return None

    def _release(self) -> None:
        if self._held is not None:
            user32.UnregisterHotKey(None, HOTKEY_ID)
            self._held = None
            self._callback = None
