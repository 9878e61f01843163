from __future__ import annotations

import socket
from pathlib import Path

import pytest

from clockwork_desktop.app.instance import SingleInstance, socket_path


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets only")
def test_second_launch_reaches_the_first(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    data = tmp_path / "data"
    first = SingleInstance(data)
    assert not first.signal_running()  # nobody yet
    calls: list[int] = []
    first.listen(lambda: calls.append(1))
    path = socket_path(data)
    assert path.exists()
    assert path.stat().st_mode & 0o077 == 0
    second = SingleInstance(data)
    assert second.signal_running()
    qtbot.waitUntil(lambda: calls == [1], timeout=3000)
    first.close()
    assert not path.exists()
    assert not SingleInstance(data).signal_running()


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
    instance.listen(lambda: None)
    assert SingleInstance(data).signal_running()
    instance.close()
