from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from clockwork_desktop.app.instance import SingleInstance, socket_path


def _pick_from_a_shell(qtbot, data: Path) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """`clockwork-desktop pick` from a shell without XDG_RUNTIME_DIR: (exit code, stderr)."""
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    env.pop("XDG_RUNTIME_DIR", None)
    verb = subprocess.Popen(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data), "pick"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    qtbot.waitUntil(lambda: verb.poll() is not None, timeout=20000)  # the app answers it
    assert verb.stderr is not None
    with verb.stderr:
        return verb.returncode, verb.stderr.read()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets only")
def test_second_launch_reaches_the_first(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    data = tmp_path / "data"
    first = SingleInstance(data)
    assert not first.signal_running()  # nobody yet
    calls: list[str] = []
    first.listen(calls.append)
    path = socket_path(data)
    assert path.exists()
    assert path.stat().st_mode & 0o077 == 0
    second = SingleInstance(data)
    assert second.signal_running()
    qtbot.waitUntil(lambda: calls == ["picker"], timeout=3000)
    first.close()
    assert not path.exists()
    third = SingleInstance(data)
    assert not third.signal_running()  # the first's lock went with it
    third.close()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets only")
def test_a_stale_socket_from_a_crash_is_replaced(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(socket_path(data)))
    stale.close()  # the file stays, nobody listens: as after SIGKILL
    instance = SingleInstance(data)
    assert not instance.signal_running()
    instance.listen(lambda _command: None)
    assert SingleInstance(data).signal_running()
    instance.close()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets only")
def test_the_pick_verb_reaches_the_running_app_and_is_answered(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    data = tmp_path / "data"
    app = SingleInstance(data)
    calls: list[str] = []
    app.listen(calls.append)
    assert _pick_from_a_shell(qtbot, data) == (0, "")
    assert calls == ["pick"]
    app.close()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets only")
def test_an_unknown_message_is_answered_and_ignored(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    data = tmp_path / "data"
    app = SingleInstance(data)
    calls: list[str] = []
    app.listen(calls.append)
    replies: list[bytes] = []

    def talk() -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(socket_path(data)))
            client.sendall(b"format-disk\n")
            replies.append(client.recv(64))

    thread = threading.Thread(target=talk)
    thread.start()
    qtbot.waitUntil(lambda: bool(replies), timeout=3000)
    thread.join()
    assert replies == [b"unknown\n"]
    assert calls == []
    assert SingleInstance(data).send("pick")  # the app still listens
    qtbot.waitUntil(lambda: calls == ["pick"], timeout=3000)
    app.close()


def test_pick_without_a_running_app_says_so(tmp_path: Path, capsys) -> None:
    from clockwork_desktop.app.main import main

    assert main(["--data-dir", str(tmp_path / "data"), "pick"]) == 1
    assert "not running" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets only")
def test_pick_from_a_shell_without_xdg_runtime_dir_reaches_the_app(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    """The app was started in a desktop session (XDG_RUNTIME_DIR set); `pick` runs from ssh,
    cron or a TTY without it, and still finds the app."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    data = tmp_path / "data"
    app = SingleInstance(data)
    assert not app.signal_running()
    calls: list[str] = []
    app.listen(calls.append)
    assert _pick_from_a_shell(qtbot, data) == (0, "")
    qtbot.waitUntil(lambda: calls == ["pick"], timeout=3000)
    app.close()


def test_the_app_holds_its_lock_for_its_lifetime(qtbot, tmp_path: Path) -> None:
    from clockwork_desktop.infra.running import tray_app_running

    data = tmp_path / "data"
    app = SingleInstance(data)
    assert not tray_app_running(data)
    assert not app.signal_running()
    app.listen(lambda _command: None)
    assert tray_app_running(data)
    assert SingleInstance(data).signal_running()  # a second launch sees the first
    app.close()
    assert not tray_app_running(data)


def _unsafe_folder(tmp_path: Path) -> Path:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone may put a file in it, or swap ours for theirs
    return shared


def test_the_app_started_on_an_unsafe_folder_says_why_in_a_window(
    qtbot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from clockwork_desktop.app.gui import GuiApp

    shared = _unsafe_folder(tmp_path)
    shown: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, read_and_close)  # not up yet: look again
            return
        shown.append(box.text())
        box.close()

    QTimer.singleShot(0, read_and_close)
    gui = GuiApp(shared, demo=False)
    try:
        assert gui.run(["clockwork-desktop"]) == 1
    finally:
        crashes = getattr(gui, "crashes", None)  # installed only once the icon shows
        if crashes is not None:
            crashes.uninstall()  # the app's crash window, for this process only
    assert len(shown) == 1
    assert "writable by every user" in shown[0]
    assert "--data-dir" in shown[0]
    assert "writable by every user" in capsys.readouterr().err
    assert os.listdir(shared) == [], "nothing was written"


def test_pick_and_the_timesheet_window_on_an_unsafe_folder_exit_1_with_the_reason(
    tmp_path: Path,
) -> None:
    shared = _unsafe_folder(tmp_path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for args in (["pick"], ["timesheet", "--window"]):
        result = subprocess.run(
            [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(shared), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr, args
        assert "writable by every user" in result.stderr, args
    assert os.listdir(shared) == []
