"""Logging to a private file in the data dir. Never log secrets."""

from __future__ import annotations

import logging
import os
from io import TextIOWrapper
from pathlib import Path

from clockwork_desktop.core.tokens import redact

LOG_FILENAME = "clockwork.log"
MAX_LOG_BYTES = 2 * 1024 * 1024


class PrivateFileHandler(logging.FileHandler):
    """A FileHandler whose file is created 0600 and only when the first record arrives."""

    def _open(self) -> TextIOWrapper:
        path = Path(self.baseFilename)
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(path.parent, 0o700)
        try:
            if path.stat().st_size > MAX_LOG_BYTES:
                path.replace(path.with_suffix(".log.1"))
        except FileNotFoundError:
            pass
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, "a", encoding="utf-8")


class RedactingFormatter(logging.Formatter):
    """Scrubs each finished line, traceback included: exception texts from libraries may quote
    a request's headers or a URL with a password, and no caller can be trusted to remember."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(log_dir: Path, level: int = logging.INFO) -> None:
    handler = PrivateFileHandler(log_dir / LOG_FILENAME, delay=True)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Their INFO lines (every scheduled run, every HTTP request) would drown ours.
    for noisy in ("apscheduler", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
