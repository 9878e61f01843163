"""One definition of each shared word and helper, so a fix in one place reaches every window."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "clockwork_desktop"


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(PACKAGE.parent)): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


@pytest.mark.parametrize(
    ("pattern", "home"),
    [
        # The words for a sync state (a label and a sentence for each).
        (r':\s*"too short to log"', "clockwork_desktop/core/state_words.py"),
        (r':\s*"waiting to be sent to Jira"', "clockwork_desktop/core/state_words.py"),
        (r':\s*"from Jira"', "clockwork_desktop/core/state_words.py"),
        # Jira's one-minute minimum, and the test whether a worklog may be sent.
        (r"^def is_loggable\b", "clockwork_desktop/core/rounding.py"),
        (r">= ?60\b|>= ?JIRA_MIN_WORKLOG_S", "clockwork_desktop/core/rounding.py"),
        # Labels that never read text as HTML, and the colour of an error line.
        (r"^def plain_label\b", "clockwork_desktop/ui/plaintext.py"),
        (r"^def error_label\b|^def _error_label\b", "clockwork_desktop/ui/plaintext.py"),
        (r"^ERROR_STYLE\b|setStyleSheet\(\"color: #", "clockwork_desktop/ui/plaintext.py"),
        # Seconds worked per local day of an entry, its pauses left out.
        (r"split_into_days\(entry\.started_at", "clockwork_desktop/core/timer.py"),
    ],
)
def test_defined_once(pattern: str, home: str) -> None:
    found = [
        name for name, text in _sources().items() if re.search(pattern, text, flags=re.MULTILINE)
    ]
    assert found == [home]
