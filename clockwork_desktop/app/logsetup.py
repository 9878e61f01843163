"""Logging to a private file in the data dir. Never log secrets."""

from __future__ import annotations

import logging
import os
import sys
from io import TextIOWrapper
from pathlib import Path

from clockwork_desktop.core.tokens import redact
from clockwork_desktop.infra.paths import check_folder, ensure_private_dir

LOG_FILENAME = "clockwork.log"
MAX_LOG_BYTES = 2 * 1024 * 1024


class PrivateFileHandler(logging.FileHandler):
    """A FileHandler whose file is created 0600 and only when the first record arrives."""

    _said = False

    def _open(self) -> TextIOWrapper:
        path = Path(self.baseFilename)
        if path.parent.parent.exists():
            check_folder(path.parent.parent)  # never a logs folder inside a refused data folder
        ensure_private_dir(path.parent)
        try:
            if path.stat().st_size > MAX_LOG_BYTES:
                path.replace(path.with_suffix(".log.1"))
        except FileNotFoundError:
            pass
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        # A path or a message that is not UTF-8 (a folder name in another encoding) is written
        # escaped rather than lost with its line.
        return os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            super().emit(record)
        except Exception:  # opening the file failed: FileHandler lets that through
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """One line on stderr, once, instead of a traceback per record: a read-only or refused
        data folder has no log, and every command still runs."""
        if PrivateFileHandler._said:
            return
        PrivateFileHandler._said = True
        problem = sys.exc_info()[1]
        sys.stderr.write(
            f"clockwork-desktop: no log file is kept ({problem}); carrying on without it.\n"
        )


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
