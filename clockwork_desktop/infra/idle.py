"""How long the user has not touched keyboard or mouse, per platform.

Linux X11: the XScreenSaver extension through ctypes. Linux elsewhere (Wayland):
org.freedesktop.ScreenSaver, then GNOME Mutter's IdleMonitor, over D-Bus (jeepney, which
keyring already brings). Windows: GetLastInputInfo. macOS: IOKit's HIDIdleTime.
Each returns seconds, or None when the platform cannot tell.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable

from clockwork_desktop.core.logs import get_logger

log = get_logger(__name__)


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("eventMask", ctypes.c_ulong),
    ]


def _x11() -> Callable[[], float | None] | None:
    if not os.environ.get("DISPLAY"):
        return None
    xlib_name = ctypes.util.find_library("X11")
    xss_name = ctypes.util.find_library("Xss")
    if not xlib_name or not xss_name:
        return None
    try:
        xlib = ctypes.CDLL(xlib_name)
        xss = ctypes.CDLL(xss_name)
    except OSError:
        return None
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XDefaultRootWindow.restype = ctypes.c_ulong
    xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
    xss.XScreenSaverQueryExtension.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_int),
    ]
    xss.XScreenSaverQueryInfo.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(_XScreenSaverInfo),
    ]
    display = xlib.XOpenDisplay(None)
    if not display:
        return None
    event_base, error_base = ctypes.c_int(), ctypes.c_int()
    if not xss.XScreenSaverQueryExtension(
        display, ctypes.byref(event_base), ctypes.byref(error_base)
    ):
        return None
    root = xlib.XDefaultRootWindow(display)
    info = xss.XScreenSaverAllocInfo()

    def query() -> float | None:
        if not xss.XScreenSaverQueryInfo(display, root, info):
            return None
        return float(info.contents.idle) / 1000.0

    return query


def _dbus() -> Callable[[], float | None] | None:
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return None
    try:
        connection = open_dbus_connection(bus="SESSION")
    except Exception:  # no session bus
        return None
    candidates = [
        (
            DBusAddress(
                "/org/freedesktop/ScreenSaver",
                bus_name="org.freedesktop.ScreenSaver",
                interface="org.freedesktop.ScreenSaver",
            ),
            "GetSessionIdleTime",
            1000.0,
        ),
        (
            DBusAddress(
                "/org/gnome/Mutter/IdleMonitor/Core",
                bus_name="org.gnome.Mutter.IdleMonitor",
                interface="org.gnome.Mutter.IdleMonitor",
            ),
            "GetIdletime",
            1000.0,
        ),
    ]
    for address, method, divisor in candidates:
        try:
            reply = connection.send_and_get_reply(new_method_call(address, method), timeout=1)
            float(reply.body[0])
        except Exception:  # this service is not there: try the next
            log.debug("idle source %s not available", method)
            continue

        def query(
            address: DBusAddress = address, method: str = method, divisor: float = divisor
        ) -> float | None:
            try:
                reply = connection.send_and_get_reply(new_method_call(address, method), timeout=1)
                return float(reply.body[0]) / divisor
            except Exception:
                return None

        return query
    return None


def _windows() -> Callable[[], float | None] | None:  # pragma: no cover - Windows only
    class LastInputInfo(ctypes.Structure):
        _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]

    def query() -> float | None:
        info = LastInputInfo()
        info.cbSize = ctypes.sizeof(info)
        if not user32.GetLastInputInfo(ctypes.byref(info)):
            return None
        elapsed_ms = int(kernel32.GetTickCount()) - int(info.dwTime)
        return (elapsed_ms & 0xFFFFFFFF) / 1000.0

    return query


def _macos() -> Callable[[], float | None] | None:  # pragma: no cover - macOS only
    import subprocess

    def query() -> float | None:
        try:
            out = subprocess.run(
                ["/usr/sbin/ioreg", "-c", "IOHIDSystem", "-d", "4"],
                capture_output=True,
                text=True,
                timeout=2,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        for line in out.splitlines():
            if "HIDIdleTime" in line:
                return float(int(line.rsplit("=", 1)[1].strip())) / 1e9
        return None

    return query


def idle_probe() -> Callable[[], float | None] | None:
    """The best idle-time source on this machine, or None."""
    if sys.platform == "win32":
        return _windows()
    if sys.platform == "darwin":
        return _macos()
    for make in (_x11, _dbus):
        try:
            probe = make()
        except Exception:  # a broken library must not stop the app
            log.exception("idle source %s failed", make.__name__)
            probe = None
        if probe is not None:
            return probe
    return None
