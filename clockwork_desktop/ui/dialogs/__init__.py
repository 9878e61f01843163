"""Dialogs: log time, edit an entry, today's entries, and the away resolver.

One module per dialog (log_time, edit_entry, entries, away), what they share in common; this
package keeps the names the tray, the timesheet window and the sync panel import.
"""

from clockwork_desktop.ui.dialogs.away import AwayDialog
from clockwork_desktop.ui.dialogs.common import (
    ask_first,
    entry_for_editing,
    locale_date_format,
    show_error,
    state_text,
    view_state_text,
)
from clockwork_desktop.ui.dialogs.edit_entry import EditEntryDialog
from clockwork_desktop.ui.dialogs.entries import EntriesDialog
from clockwork_desktop.ui.dialogs.log_time import LogTimeDialog

__all__ = [
    "AwayDialog",
    "EditEntryDialog",
    "EntriesDialog",
    "LogTimeDialog",
    "ask_first",
    "entry_for_editing",
    "locale_date_format",
    "show_error",
    "state_text",
    "view_state_text",
]
