"""A message bar under the tabs: where an export went, with a way to open its folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QWidget

from clockwork_desktop.ui.plaintext import plain_label


class SavedBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = plain_label("", self)
        self.message.setWordWrap(False)
        self.open_folder = QPushButton("Open folder", self)
        self.open_folder.clicked.connect(self._open_folder)
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.open_folder)
        layout.addWidget(close)
        self._folder: Path | None = None
        self.hide()

    def saved(self, path: Path) -> None:
        self._folder = path.parent
        self.message.setText(f"Saved to {path}")
        self.open_folder.show()
        self.show()

    def failed(self, path: Path, error: BaseException) -> None:
        self._folder = None
        self.message.setText(f"Could not save {path}: {error}")
        self.open_folder.hide()
        self.show()

    def _open_folder(self) -> None:
        if self._folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder)))
