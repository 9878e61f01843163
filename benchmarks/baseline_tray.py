"""A bare PySide6 tray app: the baseline for tray_startup.py.

Shows a tray icon with a one-item menu, writes the ready file once the event loop runs, and
exits when CLOCKWORK_EXIT_WHEN_READY is set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "idle.svg"


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    tray = QSystemTrayIcon(QIcon(str(ICON)))
    menu = QMenu()
    menu.addAction("Quit", lambda: QApplication.exit(0))
    tray.setContextMenu(menu)
    tray.show()

    def ready() -> None:
        Path(os.environ["CLOCKWORK_READY_FILE"]).write_text(f"{os.getpid()}\n")
        if os.environ.get("CLOCKWORK_EXIT_WHEN_READY"):
            QApplication.exit(0)

    QTimer.singleShot(0, ready)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
