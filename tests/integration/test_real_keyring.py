"""Opt-in: the token round trip through a real Secret Service (GNOME Keyring over D-Bus).

Run with CLOCKWORK_REAL_KEYRING=1 on a machine with Debian's dbus and gnome-keyring; it starts
its own session bus and an unlocked keyring in a temporary HOME.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("CLOCKWORK_REAL_KEYRING"),
    reason="opt-in: set CLOCKWORK_REAL_KEYRING=1 (needs dbus-run-session and gnome-keyring)",
)

PROBE = textwrap.dedent(
    """
    import keyring
    from clockwork_desktop.core.models import Account
    from clockwork_desktop.infra.credentials import KeyringCredentials

    backend = keyring.get_keyring()
    print("backend", type(backend).__module__)
    creds = KeyringCredentials(environ={})
    creds.check_available()
    account = Account("work", "https://acme.atlassian.net", "cloud", "basic", "a@b.c", "id",
                      "A", None)
    creds.set_token(account, "real-secret-token")
    assert creds.get_token(account) == "real-secret-token"
    creds.delete_token(account)
    assert creds.get_token(account) is None
    creds.delete_token(account)  # twice is fine
    print("round trip ok")
    """
)


def test_token_round_trip_through_gnome_keyring(tmp_path: Path) -> None:
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing (Debian: dbus, gnome-keyring)")
    script = (
        "echo test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
        f'{sys.executable} -c "$PROBE"'
    )
    env = {
        "HOME": str(tmp_path),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PROBE": PROBE,
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "backend keyring.backends.SecretService" in result.stdout
    assert "round trip ok" in result.stdout
