"""The machine's IANA time zone, found cheaply (the CLI must start fast)."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

from clockwork_desktop.core.models import zone_or_none


def _zone(name: object) -> ZoneInfo | None:
    """``TZ`` may start with ``:`` and files end with a line break."""
    return zone_or_none(name.strip().lstrip(":") if isinstance(name, str) else None)


def setting_problem(setting: object) -> str | None:
    """What to tell the user when their time zone setting cannot be used on this computer."""
    if not setting or _zone(setting) is not None:
        return None
    return (
        f"The time zone setting {str(setting)!r} is not a zone this computer knows (a retired "
        f"or damaged name); days are counted in {local_zone(None).key} instead. Choose a zone "
        "in Settings."
    )


def local_zone(setting: object = None) -> ZoneInfo:
    """The user's setting, else ``TZ``, else the system's zone, else UTC."""
    for candidate in (setting, os.environ.get("TZ")):
        zone = _zone(candidate)
        if zone is not None:
            return zone
    if os.name == "posix":
        localtime = Path("/etc/localtime")
        try:
            target = str(localtime.resolve())
        except OSError:
            target = ""
        if "zoneinfo/" in target:
            zone = _zone(target.split("zoneinfo/", 1)[1])
            if zone is not None:
                return zone
        try:
            zone = _zone(Path("/etc/timezone").read_text(encoding="utf-8"))
        except OSError:
            zone = None
        if zone is not None:
            return zone
    else:  # pragma: no cover - Windows and others
        try:
            import tzlocal

            zone = _zone(tzlocal.get_localzone_name())
        except Exception:  # tzlocal raises its own error types on odd setups
            zone = None
        if zone is not None:
            return zone
    return ZoneInfo("UTC")
