"""Tokens checked where they enter, and secrets kept out of text that is logged.

A token is pasted into a header as is, so a line break in it either splits the header or makes
the HTTP library fail with an error that quotes the whole header, secret included.
"""

from __future__ import annotations

import re
import threading

from clockwork_desktop.core.errors import InputError

REDACTED = "[redacted]"

# The value after an auth scheme, to the end of a quoted value or of the line.
_AUTH_VALUE = re.compile(r"\b(Bearer|Basic)\s+[^'\"\n]*", re.IGNORECASE)
# httpx quotes a refused header whole: "Illegal header value b'…'".
_HEADER_VALUE = re.compile(r"(header value )b?(['\"]).*?\2", re.IGNORECASE | re.DOTALL)
_URL_USERINFO = re.compile(r"(://)[^/\s@]+@")
# Shorter values are no real Jira token, and replacing them everywhere would garble the text.
_MIN_KNOWN_LENGTH = 8

# Every token this process has used: a server may quote one in its error text, in any form
# the patterns above do not know, so it is replaced by value wherever we log or report.
_known: set[str] = set()
_known_lock = threading.Lock()


def check_token(token: str, source: str = "The token") -> str:
    """The token without surrounding blanks; refused, without repeating it, when unusable."""
    token = token.strip()
    if not token:
        raise InputError(f"{source} is empty.")
    if not token.isascii() or any(ch.isspace() or not ch.isprintable() for ch in token):
        raise InputError(
            f"{source} contains a line break, a space or another control character (or letters "
            "outside ASCII), so it cannot be a Jira token: copy it again from Jira."
        )
    remember_secret(token)
    return token


def remember_secret(secret: str) -> None:
    """From now on, ``redact`` replaces ``secret`` wherever it appears."""
    if len(secret) >= _MIN_KNOWN_LENGTH:
        with _known_lock:
            _known.add(secret)


def redact(text: str) -> str:
    """``text`` with known tokens, auth header values and passwords in addresses replaced."""
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, REDACTED)
    text = _HEADER_VALUE.sub(rf"\1{REDACTED}", text)
    text = _AUTH_VALUE.sub(rf"\1 {REDACTED}", text)
    return _URL_USERINFO.sub(rf"\1{REDACTED}@", text)
