"""The tray as a StatusNotifierItem (KDE Plasma, AppIndicator): its menu over DBusMenu.

A private D-Bus session with Debian's ``status-notifier-watcher`` makes Qt register an SNI item
and export the tray menu with DBusMenu instead of embedding an XEmbed icon. Hosts may read the
layout without ever calling ``AboutToShow``, so the menu must be complete from the start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.conftest import App
from tests.support.xdesktop import MISSING, virtual_desktop, wait_for

pytestmark = pytest.mark.desktop

SNI_TOOLS = ("dbus-daemon", "status-notifier-watcher")
SNI_MISSING = [t for t in SNI_TOOLS if shutil.which(t) is None] + MISSING


class Bus:
    """A D-Bus connection to the private session, with the few calls the tests need."""

    def __init__(self, address: str) -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(address)

    def get(self, service: str, path: str, interface: str, name: str) -> Any:
        from jeepney import DBusAddress, Properties

        address = DBusAddress(path, service, interface)
        return self.conn.send_and_get_reply(Properties(address).get(name)).body[0][1]

    def menu_call(self, service: str, menu: str, method: str, sig: str, body: tuple) -> Any:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(menu, service, "com.canonical.dbusmenu")
        return self.conn.send_and_get_reply(new_method_call(address, method, sig, body)).body

    def items(self) -> list[str]:
        return self.get(
            "org.kde.StatusNotifierWatcher",
            "/StatusNotifierWatcher",
            "org.kde.StatusNotifierWatcher",
            "RegisteredStatusNotifierItems",
        )


@pytest.fixture
def sni_app(tmp_path: Path) -> Iterator[tuple[App, Bus]]:
    if SNI_MISSING:
        reason = (
            f"StatusNotifierItem tests need {', '.join(SNI_MISSING)} (Debian: dbus-daemon "
            "haskell-status-notifier-item-utils xvfb trayer xdotool x11-utils)"
        )
        if os.environ.get("CLOCKWORK_REQUIRE_SNI"):
            pytest.fail(reason)
        pytest.skip(reason)
    pytest.importorskip("jeepney", reason="the D-Bus client jeepney (a keyring dependency)")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        env = {**os.environ, "TZ": "Europe/Berlin", "DBUS_SESSION_BUS_ADDRESS": address}
        with virtual_desktop(env) as desk:
            watcher = subprocess.Popen(
                ["status-notifier-watcher"],
                env=desk.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            desk.procs.insert(0, watcher)
            bus = Bus(address)
            wait_for(lambda: _has_watcher(bus), what="the StatusNotifierWatcher")
            from clockwork_desktop.infra.db.database import open_database
            from clockwork_desktop.infra.db.store import SqliteStore

            data = tmp_path / "data"
            opened = open_database(data)
            SqliteStore(opened.conn).set_setting("first_run_done", True)
            opened.conn.close()
            yield App(desk, data), bus
            bus.conn.close()
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        if daemon.stdout is not None:
            daemon.stdout.close()


def _has_watcher(bus: Bus) -> bool:
    try:
        bus.items()
    except Exception:
        return False
    return True


def _layout(bus: Bus, service: str, menu: str) -> dict[str, tuple[int, bool]]:
    """Label -> (id, visible) of the menu's top-level items, read without AboutToShow."""
    _revision, (_root, _props, children) = bus.menu_call(
        service, menu, "GetLayout", "iias", (0, -1, [])
    )
    found = {}
    for _sig, (item_id, props, _sub) in children:
        label = props.get("label", ("s", ""))[1]
        visible = props.get("visible", ("b", True))[1]
        if label:
            found[label] = (item_id, visible)
    return found


def _shown(layout: dict[str, tuple[int, bool]]) -> set[str]:
    return {label for label, (_id, visible) in layout.items() if visible}


def test_sni_menu_has_its_items_before_about_to_show_and_clicks_reach_them(
    sni_app: tuple[App, Bus],
) -> None:
    app, bus = sni_app
    assert app.cli("log", "PROJ-7", "30m", "--date", "yesterday").returncode == 0
    app.launch()  # no XEmbed icon to wait for: the item goes to the watcher instead
    items = wait_for(bus.items, what="an SNI item registered with the watcher")
    service, _, path = items[0].partition("/")  # type: ignore[index]
    menu = bus.get(
        service, "/" + path if path else "/StatusNotifierItem", "org.kde.StatusNotifierItem", "Menu"
    )
    # The icon shows before the app's state is read (then the menu is filled in place): a
    # host that never sends AboutToShow still gets the items, from GetLayout alone.
    # DBusMenu writes Qt's "&" accelerator marks as "_".
    wanted = {"Resume PROJ-7", "_1 PROJ-7", "Start on issue…", "Log time…", "Quit"}
    layout = wait_for(
        lambda: (lambda got: got if wanted <= _shown(got) else None)(_layout(bus, service, menu)),
        what="the recent issue and Resume in the exported menu, without AboutToShow",
    )
    assert "Stop" not in _shown(layout)
    assert app.cli("start", "SNI-1").returncode == 0
    layout = wait_for(
        lambda: (lambda got: got if "Stop" in _shown(got) else None)(_layout(bus, service, menu)),
        what="Stop in the exported menu",
    )
    stop_id = layout["Stop"][0]  # type: ignore[index]
    bus.menu_call(service, menu, "Event", "isvu", (stop_id, "clicked", ("i", 0), 0))
    wait_for(lambda: app.status()["running"] is None, what="the click on Stop to stop the timer")


def _pixels(bus: Bus, service: str, path: str) -> bytes:
    """The icon as the host receives it (ARGB32 images, one per size), read over D-Bus."""
    pixmaps = bus.get(service, path, "org.kde.StatusNotifierItem", "IconPixmap")
    return b"".join(bytes(data) for _width, _height, data in pixmaps)


def test_sni_icon_of_a_paused_timer_differs_from_idle_and_running(
    sni_app: tuple[App, Bus],
) -> None:
    app, bus = sni_app
    app.launch()
    items = wait_for(bus.items, what="an SNI item registered with the watcher")
    service, _, rest = items[0].partition("/")  # type: ignore[index]
    path = "/" + rest if rest else "/StatusNotifierItem"
    menu = bus.get(service, path, "org.kde.StatusNotifierItem", "Menu")

    def once(label: str) -> Any:
        return wait_for(
            lambda: (lambda got: got if label in _shown(got) else None)(
                _layout(bus, service, menu)
            ),
            what=f"{label} in the exported menu",
        )

    # The icon is set in the same step as the menu: once the menu shows a state, so does it.
    assert app.cli("start", "SNI-1").returncode == 0
    once("Pause")
    running = _pixels(bus, service, path)
    assert app.cli("pause").returncode == 0
    once("Continue SNI-1")
    paused = _pixels(bus, service, path)
    assert app.cli("stop").returncode == 0
    wait_for(
        lambda: "Stop" not in _shown(_layout(bus, service, menu)),
        what="the stopped timer to leave the exported menu",
    )
    idle = _pixels(bus, service, path)
    assert all((running, paused, idle))  # the host received pixels each time
    assert paused != running
    assert paused != idle  # a paused timer is not "no timer"
