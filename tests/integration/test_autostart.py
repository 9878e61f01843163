from __future__ import annotations

import sys
from pathlib import Path

import pytest

from clockwork_desktop.infra.autostart import Autostart


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG autostart is for Linux")
def test_xdg_autostart_entry(tmp_path: Path) -> None:
    autostart = Autostart(home=tmp_path, environ={"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    assert not autostart.is_enabled()
    autostart.set_enabled(True)
    entry = tmp_path / "cfg" / "autostart" / "clockwork-desktop.desktop"
    text = entry.read_text()
    assert "[Desktop Entry]" in text
    assert "Exec=" in text
    assert "clockwork_desktop" in text
    assert autostart.is_enabled()
    autostart.set_enabled(False)
    assert not entry.exists()
    autostart.set_enabled(False)  # twice is fine
