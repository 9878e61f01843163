"""Guards against Qt-binding bugs that would crash a long-running tray app.

PySide6 6.12.0 dropped a reference to True on every Signal.emit(): a tray that ticks once a
second crashed ("bool_dealloc") within minutes. pyproject.toml excludes that release; these
tests fail if a release with the same bug is ever installed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu


class _Emitter(QObject):
    plain = Signal()
    with_arg = Signal(object)


def test_emitting_signals_keeps_reference_counts(qapp) -> None:
    emitter = _Emitter()
    before = sys.getrefcount(True), sys.getrefcount(False)
    for n in range(2000):
        emitter.plain.emit()
        emitter.with_arg.emit(n)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert abs(after[0] - before[0]) < 50
    assert abs(after[1] - before[1]) < 50


def test_rebuilding_a_menu_with_callables_keeps_reference_counts(qapp) -> None:
    menu = QMenu()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(2000):
        menu.clear()
        menu.addAction("Stop", lambda: None)
    menu.clear()
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert abs(after[0] - before[0]) < 50
    assert abs(after[1] - before[1]) < 50
