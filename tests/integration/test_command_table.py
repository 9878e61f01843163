"""The command line is one table: each command's parser, handler and needs declared once."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from clockwork_desktop.app import commands as table
from clockwork_desktop.cli import parser as cli_parser


def _parser_commands() -> set[str]:
    parser = table.full_parser()
    action = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
    return set(action.choices)


def test_every_parser_command_has_exactly_one_handler_and_every_handler_a_command() -> None:
    names = [command.name for command in table.COMMANDS]
    assert len(names) == len(set(names)), "a command is declared twice"
    assert set(names) == _parser_commands()
    for command in table.COMMANDS:
        module, _, function = command.handler.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), command.name


def test_no_module_keeps_a_handler_dict_of_its_own() -> None:
    for name in ("commands", "jira_commands", "maintenance", "auto_commands"):
        module = importlib.import_module(f"clockwork_desktop.cli.{name}")
        assert not [attr for attr in vars(module) if attr.endswith("HANDLERS")], name
    assert not hasattr(cli_parser, "COMMANDS")


@pytest.mark.parametrize("name", ["rounding", "timesheet"])
def test_rounding_and_timesheet_are_not_jira_commands(name: str) -> None:
    assert not table.command(name).handler.startswith("clockwork_desktop.cli.jira_commands:")


def test_status_loads_only_what_it_needs(tmp_path: Path) -> None:
    unneeded = (
        "inspect", "dataclasses", "logging", "clockwork_desktop.core.shortcut",
        "clockwork_desktop.cli.jira_commands", "clockwork_desktop.cli.maintenance",
        "clockwork_desktop.cli.auto_commands", "clockwork_desktop.services.starts",
    )  # fmt: skip
    probe = (
        "import sys\n"
        "from clockwork_desktop.app.main import main\n"
        f"main(['--data-dir', {str(tmp_path)!r}, 'status'])\n"
        f"print('LOADED', sorted(m for m in {unneeded!r} if m in sys.modules))\n"
    )
    # First run creates the schema; the second is the everyday case.
    subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True, timeout=30)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=30
    )
    assert "LOADED []" in result.stdout, result.stdout
