"""Checking a CA bundle file before the HTTP client tries to load it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from clockwork_desktop.core.errors import InputError, JiraUnreachableError

if TYPE_CHECKING:
    from clockwork_desktop.core.ports import JiraPort

HOW = "give an existing PEM file with: clockwork-desktop login --url URL --ca-bundle FILE"


def check_ca_bundle(path: str) -> str:
    """The bundle's absolute path; refused with the reason when it cannot be used.

    A missing or unreadable bundle would otherwise surface as a traceback from the TLS library
    on the first request.
    """
    import ssl

    file = Path(path).expanduser()
    if not file.is_file():
        raise InputError(f"The CA bundle {str(file)!r} does not exist or is not a file: {HOW}.")
    try:
        ssl.create_default_context(cafile=str(file))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise InputError(
            f"The CA bundle {str(file)!r} holds no usable PEM certificates "
            f"({type(exc).__name__}): {HOW}."
        ) from None
    return str(file.resolve())


class SiteCaConnector:
    """Connects each site with its own CA bundle, so a company CA is trusted for its site only.

    ``bundle_for`` gives the bundle stored for a site (or None for the system's CAs). A bundle
    that has gone missing since sign-in stops that site, with the reason, instead of a
    traceback from the TLS library.
    """

    def __init__(self, bundle_for: Callable[[str], str | None]) -> None:
        self._bundle_for = bundle_for

    def connect(
        self,
        url: str,
        deployment: str,
        email: str | None,
        token: str,
        on_auth_failure: Callable[[], None] | None = None,
    ) -> JiraPort:
        from clockwork_desktop.infra.jira.client import HttpJiraConnector

        bundle = self._bundle_for(url)
        if bundle:
            try:
                bundle = check_ca_bundle(bundle)
            except InputError as exc:
                raise JiraUnreachableError(f"Cannot connect to {url} safely: {exc}") from None
        return HttpJiraConnector(ca_bundle=bundle).connect(
            url, deployment, email, token, on_auth_failure
        )
