"""The settings window: SettingsDialog (dialog.py), its Accounts tab in accounts.py."""

from clockwork_desktop.core.shortcut import ShortcutSupport
from clockwork_desktop.ui.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog", "ShortcutSupport"]
