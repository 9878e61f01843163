"""Checking a CA bundle file before the HTTP client tries to load it."""

from __future__ import annotations

from pathlib import Path

from clockwork_desktop.core.errors import InputError

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
