"""What a downloaded app promises: a self-test, a version, upgrades that keep the data, and the
files a desktop needs (icons, a .desktop entry, AppStream metadata).

The bundle itself is checked by `.ci/bundle`; these run from source.
"""

from __future__ import annotations

import configparser
import hashlib
import importlib.metadata
import io
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from clockwork_desktop import __version__
from clockwork_desktop.app import selftest
from clockwork_desktop.infra.db.migrations import MIGRATIONS, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
METAINFO = RESOURCES / "io.github.clockwork_desktop.ClockworkDesktop.metainfo.xml"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clockwork_desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


# -- --self-test ---------------------------------------------------------------------------------


def test_self_test_passes_from_source_and_leaves_the_data_folder_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "CLOCKWORK_DATA_DIR": str(data), "HOME": str(tmp_path)}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no keyring: reported, not a failure
    done = cli("--self-test", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"Clockwork Desktop {__version__} self-test (source")
    for check in ("database", "icons", "tray menu", "demo jira", "keyring"):
        assert any(line.split()[1:2] == check.split()[:1] for line in lines[1:]), check
    assert any(line.split()[:2] == ["note", "keyring"] for line in lines)
    assert lines[-1] == "self-test passed: 10 checks"
    assert not data.exists()


def test_self_test_names_what_is_broken_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")

    def broken_database() -> str:
        raise OSError("disk on fire")

    def checks(self: selftest.SelfTest) -> list[tuple[str, object]]:
        return [
            ("database", broken_database),
            ("qt", lambda: "fine"),
            ("tray menu", lambda: "never reached"),
            ("https", lambda: "fine"),
        ]

    monkeypatch.setattr(selftest.SelfTest, "checks", checks)
    out = io.StringIO()
    assert selftest.run_self_test(out) == 1
    text = out.getvalue()
    assert "FAIL  database   OSError: disk on fire" in text
    assert "FAIL  tray menu  skipped: database failed" in text
    assert "ok    https      fine" in text
    assert text.splitlines()[-1] == "self-test FAILED: database, tray menu"


# -- versions ------------------------------------------------------------------------------------


def test_version_is_one_number_everywhere() -> None:
    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"clockwork-desktop {__version__}"
    assert importlib.metadata.version("clockwork-desktop") == __version__
    assert "--version" in cli("--help").stdout
    releases = ET.parse(METAINFO).getroot().findall("./releases/release")
    assert releases[0].get("version") == __version__  # the newest release comes first


# -- upgrades ------------------------------------------------------------------------------------


def _old_database(data: Path) -> Path:
    """A data folder as the first release left it: schema 1, one entry."""
    import sqlite_utils

    data.mkdir(mode=0o700)
    path = data / "clockwork.db"
    conn = sqlite3.connect(path)
    MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute(
        "INSERT INTO entries (uuid, issue_key, start_utc, end_utc, start_offset_s, "
        "end_offset_s, tz, sync_state, created_utc, updated_utc) "
        "VALUES ('u-1', 'OLD-1', 1773046800, 1773050400, 0, 0, 'UTC', 'pending', 0, 0)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    return path


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_newer_app_migrates_an_older_data_folder_and_keeps_a_backup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = _old_database(data)
    done = cli("--data-dir", str(data), "entries", "--from", "2026-03-01", "--to", "2026-03-31")
    assert done.returncode == 0, done.stderr
    assert "OLD-1" in done.stdout
    assert _user_version(path) == SCHEMA_VERSION
    backups = list(data.glob("clockwork.db.v1-backup-*"))
    assert len(backups) == 1
    assert _user_version(backups[0]) == 1
    conn = sqlite3.connect(backups[0])
    assert conn.execute("SELECT issue_key FROM entries").fetchall() == [("OLD-1",)]
    conn.close()
    if os.name == "posix":
        assert backups[0].stat().st_mode & 0o777 == 0o600


def test_an_older_app_refuses_a_newer_data_folder_and_leaves_it_untouched(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    path = _old_database(data)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")  # from a release after ours
    conn.commit()
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    files = sorted(p.name for p in data.iterdir())
    for args in (["status"], ["log", "NEW-1", "1h"]):
        done = cli("--data-dir", str(data), *args)
        assert done.returncode != 0
        assert "written by a newer Clockwork Desktop" in done.stderr
        assert f"schema {SCHEMA_VERSION + 1}" in done.stderr
        assert "Traceback" not in done.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    # Only the log folder may appear: no WAL, no backup, no replacement database.
    assert sorted(p.name for p in data.iterdir() if p.name != "logs") == files


# -- desktop files -------------------------------------------------------------------------------


def test_desktop_entry_names_the_command_and_the_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(RESOURCES / "clockwork-desktop.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "clockwork-desktop"
    assert section["Icon"] == "clockwork-desktop"
    assert section["StartupWMClass"] == "clockwork-desktop"  # the app's WM_CLASS
    assert section["Categories"].endswith(";")
    validator = shutil.which("desktop-file-validate")
    if validator:
        done = subprocess.run(
            [validator, str(RESOURCES / "clockwork-desktop.desktop")],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_appstream_metadata_has_what_software_centres_need() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    component_id = root.findtext("id")
    assert component_id
    assert METAINFO.name == f"{component_id}.metainfo.xml"
    for field in ("name", "summary", "metadata_license", "project_license"):
        assert (root.findtext(field) or "").strip(), field
    assert root.findtext("metadata_license") in {"CC0-1.0", "FSFAP", "MIT"}
    assert root.findtext("project_license") == "Apache-2.0"
    assert len(root.findall("./description/p")) >= 1
    launchable = root.find("launchable")
    assert launchable is not None
    assert launchable.get("type") == "desktop-id"
    assert (RESOURCES / (launchable.text or "")).is_file()
    assert root.findtext("./provides/binary") == "clockwork-desktop"
    assert root.find("content_rating") is not None
    validator = shutil.which("appstreamcli")
    if validator:
        done = subprocess.run(
            [validator, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_application_icons_in_every_format_and_size() -> None:
    sizes = [16, 24, 32, 48, 64, 128, 256, 512]
    for size in sizes:
        png = RESOURCES / "hicolor" / f"{size}x{size}" / "apps" / "clockwork-desktop.png"
        assert _png_size(png) == (size, size)
    ico = (RESOURCES / "clockwork-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    ico_sizes = set()
    for n in range(count):
        width, _h, _c, _r, _p, _b, length, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * n : 22 + 16 * n]
        )
        assert ico[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(ico)
        ico_sizes.add(width or 256)
    assert {16, 32, 48, 256} <= ico_sizes
    icns = (RESOURCES / "clockwork-desktop.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack(">I", icns[4:8])[0] == len(icns)
    kinds, at = set(), 8
    while at < len(icns):
        kinds.add(icns[at : at + 4])
        at += struct.unpack(">I", icns[at + 4 : at + 8])[0]
    assert at == len(icns)
    assert {b"ic07", b"ic08", b"ic09", b"ic10"} <= kinds  # 128, 256, 512, 1024 pixels
    for svg in (RESOURCES / "icons").glob("*.svg"):
        for size in (22, 44):
            assert _png_size(RESOURCES / "icons" / "png" / f"{svg.stem}-{size}.png") == (size,) * 2
