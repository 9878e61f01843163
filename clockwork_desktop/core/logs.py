"""Loggers that import :mod:`logging` only when something is actually logged.

Importing ``logging`` costs several milliseconds, a visible share of a CLI command that
answers in tens of them, and most commands log nothing. ``get_logger`` returns a stand-in
that becomes a real :class:`logging.Logger` on first use; the composition root registers
how logging is set up with :func:`on_first_use`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from logging import Logger

_setup: list[Callable[[], None]] = []


def on_first_use(setup: Callable[[], None]) -> None:
    """Run ``setup`` (configure handlers) just before the first record is logged."""
    _setup.append(setup)


def _real(name: str) -> Any:
    import logging

    while _setup:
        _setup.pop(0)()
    return logging.getLogger(name)


class LazyLogger:
    __slots__ = ("_logger", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: Any = None

    def __getattr__(self, attr: str) -> Any:
        if self._logger is None:
            self._logger = _real(self._name)
        return getattr(self._logger, attr)


def get_logger(name: str) -> Logger:
    """A logger for ``name``; use it exactly like ``logging.getLogger(name)``."""
    return cast("Logger", LazyLogger(name))
