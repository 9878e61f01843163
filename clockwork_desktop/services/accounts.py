"""AccountService: signing in to Jira sites, and finding the client for an account."""

from __future__ import annotations

from typing import NamedTuple

from clockwork_desktop.core.errors import (
    ClockworkError,
    InputError,
    JiraAuthError,
    JiraUnreachableError,
    NotFoundError,
)
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, JiraUser
from clockwork_desktop.core.ports import AccountStore, CredentialStore, JiraConnector, JiraPort
from clockwork_desktop.core.tokens import check_token
from clockwork_desktop.core.urls import normalise_site_url

log = get_logger(__name__)


class LoginResult(NamedTuple):
    account: Account
    user: JiraUser
    adopted_entries: int


def _deployment(info: dict[str, object]) -> str:
    kind = str(info.get("deploymentType", "")).lower()
    return "cloud" if kind == "cloud" else "datacenter"


def default_name(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host.split(".", 1)[0] if host.endswith(".atlassian.net") else host


def refuse_another_person(previous: Account, user: JiraUser, site: str) -> None:
    """An account name stands for one person: their entries and the worklogs they made.

    Signing in again as someone else under the same name would send the first person's edits
    and deletes with the second person's token, wherever Jira lets that person edit all
    worklogs. Nothing is saved; the message says what to do instead.
    """
    if not previous.account_id or previous.account_id == user.account_id:
        return
    first = previous.display_name or previous.account_id
    raise InputError(
        f"This token belongs to {user.display_name or user.account_id}, but the account "
        f"{previous.name!r} is {first}'s: their entries and worklogs stay theirs, and nothing "
        f"was changed. To add {user.display_name or 'this person'}, sign in under another "
        f"account name (`clockwork-desktop login --url {site} --name NAME`); to renew "
        f"{first}'s sign-in, use {first}'s own token."
    )


class AccountService:
    def __init__(
        self, store: AccountStore, credentials: CredentialStore, connector: JiraConnector
    ) -> None:
        self._store = store
        self._credentials = credentials
        self._connector = connector

    def accounts(self) -> list[Account]:
        return self._store.accounts()

    def get(self, name: str | None) -> Account:
        """The named account, or the default one."""
        if name is None:
            accounts = self._store.accounts()
            if not accounts:
                raise NotFoundError(
                    "Not signed in to Jira yet: choose Sign in… in the app, or run "
                    "`clockwork-desktop login --url URL`."
                )
            return accounts[0]
        account = self._store.account(name)
        if account is None:
            known = ", ".join(a.name for a in self._store.accounts()) or "none"
            raise NotFoundError(f"No Jira account named {name!r} (accounts: {known}).")
        return account

    def login(
        self,
        url: str,
        token: str,
        *,
        email: str | None = None,
        name: str | None = None,
        store_token: bool = True,
    ) -> LoginResult:
        """Check the credentials with Jira, then save the account and the token.

        Nothing is saved unless Jira accepted the token and the token can be kept safely.
        """
        site = normalise_site_url(url)
        token = check_token(token)
        if store_token:
            self._credentials.check_available()
        deployment, user = self.check(site, token, email=email)
        account_name = name or default_name(site)
        existing = self._store.accounts()
        is_default = not existing or any(a.name == account_name and a.is_default for a in existing)
        previous = self._store.account(account_name)
        if previous is not None:
            refuse_another_person(previous, user, site)
        account = Account(
            name=account_name,
            url=site,
            deployment=deployment,
            auth_kind="basic" if deployment == "cloud" else "bearer",
            email=email,
            account_id=user.account_id,
            display_name=user.display_name,
            time_zone=user.time_zone,
            is_default=is_default,
            rounding=previous.rounding if previous else "none",
            auth_blocked=False,
        )
        if store_token:
            self._credentials.set_token(account, token)
        self._store.save_account(account)
        adopted = self._store.adopt_orphan_entries(account.name) if is_default else 0
        log.info("signed in to %s as %s", site, user.account_id)
        return LoginResult(account, user, adopted)

    def check(self, url: str, token: str, *, email: str | None = None) -> tuple[str, JiraUser]:
        """Ask Jira who this token belongs to ("Test connection"); nothing is saved."""
        site = normalise_site_url(url)
        token = check_token(token)
        guess = "cloud" if email else "datacenter"
        probe = self._connector.connect(site, guess, email, token)
        try:
            return self._identify(probe, site, guess)
        except JiraAuthError:
            # At sign-in a refusal means a wrong token or email, not one that stopped working.
            what = "email and API token" if email else "personal access token"
            where = (
                "Make an API token at id.atlassian.com › Security › API tokens. Choose "
                "“Create API token”, not “with scopes”: a token with scopes works only through "
                "Atlassian's API gateway, never with the site's own address."
                if email
                else "Make one in Jira under your profile › Personal Access Tokens."
            )
            raise JiraAuthError(
                f"Jira at {site} did not accept this {what}. Check it for typos. {where}"
            ) from None
        except JiraUnreachableError as exc:
            # Nothing is saved yet, so nothing waits to be sent: the address may be mistyped.
            raise JiraUnreachableError(
                f"Cannot reach Jira at {site}. Check the address (Jira Cloud sites look like "
                "https://your-company.atlassian.net) and the network connection."
            ) from exc
        finally:
            probe.close()

    def _identify(self, probe: JiraPort, site: str, guess: str) -> tuple[str, JiraUser]:
        deployment = _deployment(probe.server_info())
        if deployment != guess:
            if deployment == "cloud":
                raise InputError(
                    f"{site} is Jira Cloud: sign in with your Atlassian email (--email) and "
                    "an API token."
                )
            raise InputError(
                f"{site} is Jira Data Center: sign in with a personal access token and no email."
            )
        return deployment, probe.myself()

    def logout(self, name: str | None = None) -> Account:
        account = self.get(name)
        self._credentials.delete_token(account)
        log.info("signed out of %s", account.url)
        return account

    def block(self, name: str) -> None:
        """Jira refused the token: send nothing more for this account until a new sign-in."""
        self._store.set_auth_blocked(name, True)
        log.warning("Jira refused the token of account %s; requests stopped", name)

    def set_rounding(self, name: str | None, rounding: str) -> Account:
        from clockwork_desktop.core.rounding import RoundingPolicy

        policy = RoundingPolicy.parse(rounding)
        account = self.get(name)._replace(rounding=policy.describe())
        self._store.save_account(account)
        return account

    def signed_in(self, account: Account) -> bool:
        """Whether requests can be made for ``account`` now (a token here, not refused)."""
        if account.auth_blocked:
            return False
        try:
            return bool(self._credentials.get_token(account))
        except ClockworkError:
            return False

    def client(self, account: Account) -> JiraPort:
        """A client for ``account``; refuses when its sign-in was refused or is missing."""
        if account.auth_blocked:
            raise JiraAuthError(
                f"Jira at {account.url} refused the token of account {account.name!r}. Sign in "
                "again (Sign in again… in the tray menu, or `clockwork-desktop login --url "
                f"{account.url} --name {account.name}`)."
            )
        token = self._credentials.get_token(account)
        if not token:
            raise JiraAuthError(
                f"Not signed in to {account.url} (account {account.name!r}): sign in again "
                f"(Settings › Accounts, or `clockwork-desktop login --url {account.url}`)."
            )
        # Any 401 on this client, from a sync, a search or a timesheet, stops the account.
        return self._connector.connect(
            account.url,
            account.deployment,
            account.email,
            token,
            on_auth_failure=lambda: self.block(account.name),
        )
