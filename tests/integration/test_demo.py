"""`--demo` leaves the user's data folder alone, cleans up after itself and runs once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Unix socket and TMPDIR layout")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    (tmp_path / "tmp").mkdir(exist_ok=True)
    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ)
    env.update(
        CLOCKWORK_DATA_DIR=str(tmp_path / "real"),
        TMPDIR=str(tmp_path / "tmp"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
        QT_QPA_PLATFORM="offscreen",
        **extra,
    )
    return env


def _demo(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "clockwork_desktop", "--demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_demo_writes_nothing_to_the_real_data_folder_and_removes_its_own(tmp_path: Path) -> None:
    proc = _demo(_env(tmp_path, CLOCKWORK_EXIT_WHEN_READY="1"))
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    real = tmp_path / "real"
    assert not real.exists() or list(real.rglob("*")) == []
    assert list((tmp_path / "tmp").glob("clockwork-demo-*")) == []


def test_second_demo_shows_the_first_instead_of_a_second_icon(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    first = _demo(_env(tmp_path, CLOCKWORK_READY_FILE=str(ready)))
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            assert first.poll() is None, first.communicate()[1]
            time.sleep(0.05)
        assert ready.exists()
        second = _demo(_env(tmp_path))
        out, err = second.communicate(timeout=30)
        assert second.returncode == 0, err
        assert "already running" in out
        # Only the first demo's folder remains; the second removed its own.
        assert len(list((tmp_path / "tmp").glob("clockwork-demo-*"))) == 1
    finally:
        first.terminate()
        first.communicate(timeout=10)
