"""The team's people: saved teams, Jira groups and people looked up by name or id.

People are matched by account id on Cloud and by user key on Data Center (worklog authors
carry it); Data Center's JQL takes usernames instead, so DC members keep theirs. People named
one by one are looked up one by one, so those who left are found too. On Data Center only
administrators may list a group's members; others are told so and name the people instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from clockwork_desktop.core.errors import (
    InputError,
    JiraError,
    JiraRefusedError,
    NotFoundError,
    OperationError,
)
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, JiraUser
from clockwork_desktop.core.ports import TimesheetStore
from clockwork_desktop.services.accounts import AccountService

log = get_logger(__name__)


class GroupMembersHiddenError(OperationError):
    """Jira would not list a group's members to this account (on Data Center: not an admin)."""

    def __init__(self, message: str, group: str) -> None:
        super().__init__(message)
        self.group = group


class Member(NamedTuple):
    account_id: str  # Cloud: accountId; Data Center: the user key
    display_name: str
    name: str = ""  # Data Center username, what JQL takes; empty on Cloud


class Team(NamedTuple):
    name: str
    kind: str  # "group", "people" or "me"
    ref: str  # the Jira group, for kind "group"
    members: tuple[Member, ...]
    account: str


class TeamDirectory:
    """Teams kept in the store, resolved against Jira; TimesheetService reads their weeks."""

    def __init__(self, store: TimesheetStore, accounts: AccountService) -> None:
        self._store = store
        self._accounts = accounts
        # People found by search in this session: a team saved from them keeps their usernames.
        self._found: dict[str, JiraUser] = {}

    def _me(self) -> tuple[str, str]:
        accounts = self._accounts.accounts()
        if accounts:
            return accounts[0].account_id or "me", accounts[0].display_name or "Me"
        return "me", "Me"

    def teams(self) -> list[Team]:
        return [
            Team(n, k, r, tuple(Member(*m) for m in members), a)
            for n, k, r, members, a in self._store.teams()
        ]

    def save_people_team(self, name: str, members: Sequence[Sequence[str]]) -> Team:
        """``members`` are (account id, display name[, username]); the username of someone
        found by :meth:`find_people` is filled in when left out."""
        if not name.strip():
            raise InputError("Give the team a name.")
        if not members:
            raise InputError("Choose at least one person.")
        account = self._accounts.get(None)
        people = []
        for given in members:
            member = Member(*given)
            found = self._found.get(member.account_id)
            if not member.name and found is not None and found.name:
                member = member._replace(name=found.name)
            people.append(member)
        self._store.save_team(name.strip(), "people", "", people, account.name)
        return Team(name.strip(), "people", "", tuple(people), account.name)

    def find_people(self, text: str) -> list[JiraUser]:
        client = self._accounts.client(self._accounts.get(None))
        try:
            found = client.find_users(text)
        finally:
            client.close()
        self._found.update((u.account_id, u) for u in found)
        return found

    def resolve_team(
        self,
        *,
        team: str | None = None,
        group: str | None = None,
        users: Sequence[str] = (),
    ) -> Team:
        """A saved team, a Jira group (members fetched and remembered) or a list of people."""
        account = self._accounts.get(None)
        if team:
            for saved in self.teams():
                if saved.name == team:
                    if saved.kind == "group":
                        return self._group(account, saved.ref, saved.name)
                    return saved
            known = ", ".join(t.name for t in self.teams()) or "none saved"
            raise NotFoundError(f"No team named {team!r} (teams: {known}).")
        if group:
            return self._group(account, group, f"group:{group}")
        if users:
            return Team("people", "people", "", self._people(account, users), account.name)
        return Team("me", "me", "", (Member(*self._me()),), account.name)

    def _people(self, account: Account, users: Sequence[str]) -> tuple[Member, ...]:
        """People named by Cloud account id, or Data Center username (or key): looked up one
        by one, so that people who left are found too (a search leaves them out) and their
        weeks still show. Data Center members keep their key, which worklogs carry."""
        try:
            client = self._accounts.client(account)
            try:
                found = [(u, client.user(u)) for u in users]
            finally:
                client.close()
        except JiraError as exc:  # offline: as saved in a team, else as given
            log.info("people not looked up: %s", exc)
            known = {
                ref: m
                for t in self.teams()
                for m in t.members
                for ref in (m.name, m.account_id)
                if ref
            }
            return tuple(known.get(u, Member(u, u, "" if account.is_cloud else u)) for u in users)
        missing = [ref for ref, user in found if user is None]
        if missing:
            names = ", ".join(repr(m) for m in missing)
            kind = "account id" if account.is_cloud else "username"
            raise NotFoundError(
                f"Jira knows no user {names}: give each person's {kind}, or find them by name "
                "with People… in the timesheet window."
            )
        return tuple(
            Member(user.account_id, user.display_name, user.name or "")
            for _ref, user in found
            if user is not None
        )

    def _group(self, account: Account, group: str, name: str) -> Team:
        try:
            client = self._accounts.client(account)
            try:
                members = [
                    Member(u.account_id, u.display_name, u.name or "")
                    for u in client.group_members(group)
                ]
            finally:
                client.close()
        except JiraRefusedError as exc:
            if exc.status == 403:
                raise _hidden(account, group) from exc
            raise
        except JiraError as exc:
            for saved in self.teams():  # offline: the members we saw last time
                if saved.kind == "group" and saved.ref == group:
                    log.info("group %s from cache: %s", group, exc)
                    return saved
            raise
        self._store.save_team(name, "group", group, members, account.name)
        return Team(name, "group", group, tuple(members), account.name)


def _hidden(account: Account, group: str) -> GroupMembersHiddenError:
    """Why Jira would not list ``group``'s members: a missing right, not a sign-in problem."""
    if account.is_cloud:
        why = (
            f"Jira would not list the members of the group {group!r} to you: that needs the "
            "“Browse users and groups” permission."
        )
    else:
        why = (
            f"Jira Data Center lets only administrators list the members of a group, so it "
            f"would not list {group!r} to you."
        )
    return GroupMembersHiddenError(why, group)
