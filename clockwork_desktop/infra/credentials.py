"""Tokens in the operating system's keyring, or for one run in an environment variable."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from clockwork_desktop.core.errors import (
    CredentialsUnavailableError,
    InputError,
    JiraUnavailableError,
)
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import TOKEN_ENV_VAR, Account
from clockwork_desktop.core.tokens import check_token

log = get_logger(__name__)

SERVICE = "clockwork-desktop"
TOKEN_ENV = TOKEN_ENV_VAR
NO_KEYRING = (
    "No keyring is available to keep your Jira token safely. Options: start or unlock your "
    "desktop's secret service (GNOME Keyring, KWallet, macOS Keychain, Windows Credential "
    "Manager); or give the token for each run in the environment variable "
    f"{TOKEN_ENV} (it is used and never stored). The token is never written to a plain file."
)


def _username(account: Account | str) -> str:
    if isinstance(account, Account):
        return f"{account.name}@{account.url}"
    return account


class KeyringCredentials:
    """The keyring, except for the one account that the environment variable belongs to.

    The variable holds one site's secret, so it must never travel to another site: it belongs
    to ``token_account`` when a command names one, else to the only account there is. With
    several accounts and none named, asking for any token is refused.
    """

    def __init__(
        self,
        environ: dict[str, str] | None = None,
        *,
        token_account: str | None = None,
        account_names: Callable[[], list[str]] | None = None,
    ) -> None:
        self._env = environ if environ is not None else dict(os.environ)
        self._token_account = token_account
        self._account_names = account_names

    def env_token(self) -> str | None:
        token = self._env.get(TOKEN_ENV, "").strip()
        if not token:
            return None
        try:
            return check_token(token, f"The token in {TOKEN_ENV}")
        except InputError as exc:
            raise JiraUnavailableError(str(exc)) from None

    def _env_token_for(self, account: Account) -> str | None:
        token = self.env_token()
        if token is None:
            return None
        if self._token_account is not None:
            return token if account.name == self._token_account else None
        names = self._account_names() if self._account_names else [account.name]
        if len(names) <= 1:
            return token
        raise JiraUnavailableError(
            f"{TOKEN_ENV} is set and there are {len(names)} Jira accounts "
            f"({', '.join(names)}): name the account the token belongs to with --account NAME, "
            "or unset the variable so that each account uses its own token from the keyring."
        )

    def check_available(self) -> None:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        chainer_empty = getattr(backend, "backends", None) == []
        if isinstance(backend, fail.Keyring) or chainer_empty:
            raise CredentialsUnavailableError(NO_KEYRING)

    def get_token(self, account: Account) -> str | None:
        env = self._env_token_for(account)
        if env:
            return env
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(SERVICE, _username(account))
        except (KeyringError, RuntimeError) as exc:
            log.warning("keyring read failed: %s", type(exc).__name__)
            raise CredentialsUnavailableError(NO_KEYRING) from None

    def set_token(self, account: Account, token: str) -> None:
        self.check_available()
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(SERVICE, _username(account), token)
        except (KeyringError, RuntimeError) as exc:
            log.warning("keyring write failed: %s", type(exc).__name__)
            raise CredentialsUnavailableError(NO_KEYRING) from None

    def delete_token(self, account: Account) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(SERVICE, _username(account))
        except PasswordDeleteError:
            pass  # nothing stored: already signed out
        except (KeyringError, RuntimeError) as exc:
            log.warning("keyring delete failed: %s", type(exc).__name__)
            raise CredentialsUnavailableError(NO_KEYRING) from None


class SessionCredentials:
    """Tokens kept in memory for this run only (the demo, or no keyring at all)."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def check_available(self) -> None:
        return None

    def get_token(self, account: Account) -> str | None:
        return self._tokens.get(_username(account))

    def set_token(self, account: Account, token: str) -> None:
        self._tokens[_username(account)] = token

    def delete_token(self, account: Account) -> None:
        self._tokens.pop(_username(account), None)


SESSION_ONLY_NOTE = (
    "This computer has no keyring, so Clockwork Desktop keeps your Jira token in memory until "
    "it quits and asks for it again next time. To keep it, start or unlock your desktop's "
    "secret service (GNOME Keyring, KWallet) and sign in again."
)


class DesktopCredentials:
    """For the tray app: the keyring, or where there is none, memory until the app quits.

    A person at the desktop can always sign in; without a keyring the token lives only in
    this process (never in a file), and the app says so.
    """

    def __init__(self, keyring: KeyringCredentials) -> None:
        self._keyring = keyring
        self._session = SessionCredentials()
        self.session_only = False

    def check_available(self) -> None:
        return None

    def get_token(self, account: Account) -> str | None:
        token = self._session.get_token(account)
        if token:
            return token
        try:
            return self._keyring.get_token(account)
        except CredentialsUnavailableError:
            return None

    def set_token(self, account: Account, token: str) -> None:
        try:
            self._keyring.set_token(account, token)
        except CredentialsUnavailableError:
            log.info("no keyring: the token is kept for this session only")
            self._session.set_token(account, token)
            self.session_only = True

    def delete_token(self, account: Account) -> None:
        self._session.delete_token(account)
        with contextlib.suppress(CredentialsUnavailableError):  # nothing stored there: no keyring
            self._keyring.delete_token(account)
