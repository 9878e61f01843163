"""Text from Jira or a server, for the Qt widgets that guess whether text is HTML.

Labels can be told ``Qt.PlainText`` (see ``plain_label``); tooltips, message boxes from the
static helpers and input dialogs guess instead, and would load an ``<img src="file:///…">`` or
open an ``<a href>`` from an issue summary. Whatever reaches them goes through here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QWidget

# Notification servers honour a markup subset in the body, Windows and macOS show it raw:
# characters that look the same but mean nothing to either.
_LOOKALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})

# The colour of an error line under a form (GitHub's danger red: readable on light and dark).
ERROR_STYLE = "color: #cf222e;"


def plain_label(text: str, parent: QWidget | None = None) -> QLabel:
    """A label that never interprets its text as HTML (text from Jira is untrusted)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    return label


def error_label(parent: QWidget) -> QLabel:
    """An error line, hidden until there is something to say."""
    label = plain_label("", parent)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def tooltip(text: str) -> str:
    """HTML that shows exactly ``text``: a tooltip has no plain-text mode of its own."""
    return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def tray_text(text: str) -> str:
    """``text`` for the tray's tooltip and notifications, which are shown outside Qt."""
    return text.translate(_LOOKALIKES)


def warn(parent: QWidget | None, title: str, text: str, *, wait: bool = False) -> QMessageBox:
    """A plain-text warning. It never blocks the tray: it is modal to ``parent`` at most and
    returns at once; ``wait`` only before the app's event loop runs (nothing to block yet)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if wait:
        box.exec()
        return box
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is not None:
        box.open()  # modal to its own window only
    else:
        box.show()
    return box


def text_dialog(parent: QWidget | None, title: str, label: str, text: str = "") -> QInputDialog:
    """An input dialog whose label is never read as HTML; the caller shows it (non-modal
    with ``show()``, its answer through ``textValueSelected``)."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    for child in dialog.findChildren(QLabel):
        child.setTextFormat(Qt.TextFormat.PlainText)
    dialog.setTextValue(text)
    return dialog


def open_question(title: str, text: str) -> QMessageBox:
    """A question in a window of its own (never modal, so the tray menu keeps working); the
    caller adds the answers and shows it."""
    box = QMessageBox()
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Question)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setWindowModality(Qt.WindowModality.NonModal)
    return box


def raise_window(window: QWidget) -> None:
    """Show ``window`` on top and give it the focus (it may have been hidden or behind)."""
    window.show()
    window.raise_()
    window.activateWindow()
