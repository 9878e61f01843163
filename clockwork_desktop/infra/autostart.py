"""Start at login: an XDG autostart entry, the Windows Run key, or a macOS LaunchAgent."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

APP_ID = "clockwork-desktop"


def _command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "clockwork_desktop"]


class Autostart:
    def __init__(self, home: Path | None = None, environ: dict[str, str] | None = None) -> None:
        self._home = home or Path.home()
        self._env = environ if environ is not None else dict(os.environ)

    def xdg_path(self) -> Path:
        config = self._env.get("XDG_CONFIG_HOME") or str(self._home / ".config")
        return Path(config) / "autostart" / f"{APP_ID}.desktop"

    def launch_agent_path(self) -> Path:
        return self._home / "Library" / "LaunchAgents" / f"org.{APP_ID}.plist"

    def is_enabled(self) -> bool:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            import winreg

            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self._run_key()) as key:
                    winreg.QueryValueEx(key, APP_ID)
                return True
            except OSError:
                return False
        if sys.platform == "darwin":  # pragma: no cover - macOS only
            return self.launch_agent_path().exists()
        return self.xdg_path().exists()

    @staticmethod
    def _run_key() -> str:
        return r"Software\Microsoft\Windows\CurrentVersion\Run"

    def set_enabled(self, enabled: bool) -> None:
        command = _command()
        if sys.platform == "win32":  # pragma: no cover - Windows only
            import subprocess
            import winreg

            with winreg.OpenKey(
                winreg.HKEY_CURRENT_USER, self._run_key(), 0, winreg.KEY_SET_VALUE
            ) as key:
                if enabled:
                    value = subprocess.list2cmdline(command)
                    winreg.SetValueEx(key, APP_ID, 0, winreg.REG_SZ, value)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        winreg.DeleteValue(key, APP_ID)
            return
        if sys.platform == "darwin":  # pragma: no cover - macOS only
            import plistlib

            path = self.launch_agent_path()
            if enabled:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(
                    plistlib.dumps(
                        {"Label": f"org.{APP_ID}", "ProgramArguments": command, "RunAtLoad": True}
                    )
                )
            else:
                path.unlink(missing_ok=True)
            return
        import shlex

        path = self.xdg_path()
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                "[Desktop Entry]\n"
                "Type=Application\n"
                "Name=Clockwork Desktop\n"
                "Comment=Time tracker for Jira\n"
                f"Exec={shlex.join(command)}\n"
                f"Icon={APP_ID}\n"
                "Terminal=false\n"
                "X-GNOME-Autostart-enabled=true\n",
                encoding="utf-8",
            )
        else:
            path.unlink(missing_ok=True)
