"""The command line is one table: each command's parser, handler and needs declared once."""

from __future__ import annotations

import importlib

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
