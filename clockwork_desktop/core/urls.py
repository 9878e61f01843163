"""Checking the Jira site address a person types."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from clockwork_desktop.core.errors import InputError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalise_site_url(text: str) -> str:
    """``https://acme.atlassian.net`` from what was typed; plain http only for loopback."""
    raw = text.strip()
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = parts.hostname or ""
    if not host:
        raise InputError(f"Not a Jira address: {text!r}. Example: https://acme.atlassian.net")
    if parts.scheme == "http" and not is_loopback(host):
        raise InputError(
            f"{text!r} uses plain http: Jira must be reached over https (plain http is accepted "
            "only for this computer, e.g. http://127.0.0.1:8080)."
        )
    if parts.scheme not in ("http", "https"):
        raise InputError(f"Not a web address: {text!r}. Example: https://acme.atlassian.net")
    path = parts.path.rstrip("/")
    for suffix in ("/secure/Dashboard.jspa", "/jira/your-work", "/jira"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme, netloc, path, "", ""))
