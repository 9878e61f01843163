"""Checking the Jira site address a person types."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from clockwork_desktop.core.errors import InputError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


EXAMPLE = "Example: https://acme.atlassian.net"
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_MAX_HOST_CHARS = 253


def _check_host(host: str, text: str) -> None:
    """Refuse a host name that DNS (and so the HTTP client) cannot use, before any request."""
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    bad = InputError(f"Not a valid site address: {text!r}. {EXAMPLE}")
    try:
        ascii_host = host.encode("idna").decode("ascii")
        labels = ascii_host.rstrip(".").split(".")
        for label in labels:
            if label.startswith("xn--"):
                label.encode("ascii").decode("idna")  # refuses a broken punycode label
    except UnicodeError:
        raise bad from None
    if len(ascii_host) > _MAX_HOST_CHARS or not all(_LABEL.fullmatch(x) for x in labels):
        raise bad


def normalise_site_url(text: str) -> str:
    """``https://acme.atlassian.net`` from what was typed; plain http only for loopback.

    An address holding a user name or password is refused without repeating it: those
    would otherwise be stored, shown and logged with the account.
    """
    raw = text.strip()
    if "://" not in raw:
        raw = "https://" + raw
    if "@" in raw.split("://", 1)[1].split("/", 1)[0]:
        raise InputError(
            "The site address contains a user name or password (name:password@): remove them "
            "and give only the site, for example https://acme.atlassian.net. The token is "
            "asked for separately and kept in the keyring, never in the address."
        )
    if any(ch.isspace() or not ch.isprintable() for ch in raw):
        raise InputError(f"Not a valid site address (spaces or control characters): {text!r}.")
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - reading it validates the port (0 to 65535)
    except ValueError:
        raise InputError(f"Not a valid site address: {text!r}. {EXAMPLE}") from None
    if not host:
        raise InputError(f"Not a Jira address: {text!r}. {EXAMPLE}")
    _check_host(host, text)
    if parts.scheme == "http" and not is_loopback(host):
        raise InputError(
            f"{text!r} uses plain http: Jira must be reached over https (plain http is accepted "
            "only for this computer, e.g. http://127.0.0.1:8080)."
        )
    if parts.scheme not in ("http", "https"):
        raise InputError(f"Not a web address: {text!r}. {EXAMPLE}")
    path = parts.path.rstrip("/")
    for suffix in ("/secure/Dashboard.jspa", "/jira/your-work", "/jira"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme, netloc, path, "", ""))
