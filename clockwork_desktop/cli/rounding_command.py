"""`rounding`: how time is rounded when sent to Jira, per account or for entries without one."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Protocol

from clockwork_desktop.cli.commands import CliServices

if TYPE_CHECKING:
    from clockwork_desktop.services.accounts import AccountService


class RoundingCliServices(CliServices, Protocol):
    @property
    def accounts(self) -> AccountService: ...


def cmd_rounding(args: argparse.Namespace, s: CliServices) -> int:
    svc: RoundingCliServices = s  # type: ignore[assignment]
    if args.account or svc.accounts.accounts():
        account = svc.accounts.set_rounding(args.account, args.policy)
        print(f"Rounding for {account.name!r}: {account.rounding}.")
    else:
        policy = svc.tracker.set_default_rounding(args.policy)
        print(f"Rounding for entries without an account: {policy.describe()}.")
    return 0
