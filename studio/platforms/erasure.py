"""What the privacy room needs from a platform to answer its account owners' data requests.

Each platform package implements `Erasure` (and `SignIn` where owners prove who they are by
signing in at the platform); the registry hands them to privacy, which never imports a
platform. Counts returned are receipt categories, explained by `Erasure.labels`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from studio.audit import Actor
from studio.platforms.accounts import Accounts
from studio.platforms.grants import delete_account
from studio.platforms.models import Account


class NotConfirmed(Exception):
    """The platform did not confirm who signed in; the message is shown and names no one."""


@dataclass(frozen=True)
class Identity:
    """Who signed in at the platform: its id for them, the names a request may give, and the
    sign-in's access token (privacy revokes it, or keeps it for the erasure)."""

    remote_id: str
    names: tuple[str, ...]
    token: str = field(default="", repr=False)


class SignIn(Protocol):
    """A minimal sign-in at the platform that proves who owns an account."""

    @property
    def label(self) -> str:
        """The platform's name on its sign-in page ("TikTok", "Google")."""
        ...

    @property
    def account_word(self) -> str:
        """What the owner calls the account ("TikTok account", "YouTube channel")."""
        ...

    @property
    def reads(self) -> str:
        """What the sign-in asks to see ("for your basic profile (display name and ID)")."""
        ...

    @property
    def name_label(self) -> str:
        """The request form's label for the account's name ("TikTok display name")."""
        ...

    @property
    def name_word(self) -> str:
        """What a request names the account by ("display name", "name or @handle")."""
        ...

    def available(self, config: Mapping[str, Any]) -> bool:
        """Whether owners can sign in here with this configuration."""
        ...

    def start(self, context: Mapping[str, Any], callback: str) -> str:
        """Record a flow with `context` and return the consent URL (back to `callback`)."""
        ...

    def finish(self, session: Session, args: Mapping[str, str]) -> tuple[dict[str, Any], Identity]:
        """The flow's context and who signed in (FlowError, NotConfirmed otherwise)."""
        ...

    def revoke_token(self, token: str) -> bool:
        """Revoke a sign-in's token at the platform (one we never stored)."""
        ...


class Erasure(Protocol):
    """A platform's part in data requests about the people behind its accounts."""

    @property
    def kind(self) -> str:
        """The request kind; platforms behind one login (Meta) share one erasure."""
        ...

    @property
    def subject_key(self) -> str:
        """The request subject's key that holds the platform's id for the person."""
        ...

    @property
    def labels(self) -> Mapping[str, str]:
        """Receipt category → its meaning in the requester's words."""
        ...

    @property
    def sign_in(self) -> SignIn | None:
        """How owners prove who they are; None: requests come from the platform, signed."""
        ...

    @property
    def searched_as(self) -> str | None:
        """Set: after erasing, search that nothing names the person (who, in the receipt)."""
        ...

    def locate(self, session: Session, remote_id: str) -> list[int]:
        """Ids of the accounts that belong to the person (empty when we hold none)."""
        ...

    def connected(self, session: Session, remote_id: str) -> bool:
        """Whether the person's grant is still held (a sign-in token would end it)."""
        ...

    def revoke(self, session: Session, remote_id: str, actor: Actor, reason: str) -> dict[str, int]:
        """End the person's grants at the platform and erase tokens and data keys (rows kept)."""
        ...

    def erase_account(self, session: Session, account_id: int) -> dict[str, int]:
        """Delete one account row with any secrets left; the caller commits."""
        ...


class OneAccount:
    """The usual `Erasure`: one account per person, found by the platform's id for them.

    Receipt categories are ``<kind>_tokens`` and ``<kind>_profile`` (with ``data_key``).
    """

    searched_as = None

    def __init__(
        self,
        accounts: Accounts,
        subject_key: str,
        labels: Mapping[str, str],
        sign_in: SignIn | None,
        disconnect: Callable[[Session, Account, Actor, str], object],
    ) -> None:
        self.kind = accounts.platform
        self.subject_key = subject_key
        self.labels = labels
        self.sign_in = sign_in
        self._accounts = accounts
        self._disconnect = disconnect  # revokes at the platform, then ends the grant here

    def find(self, session: Session, remote_id: str) -> Account | None:
        """The account with the platform's id `remote_id`, if we hold it."""
        return self._accounts.by_remote_id(session, remote_id) if remote_id else None

    def locate(self, session: Session, remote_id: str) -> list[int]:
        """The account's id, if we hold it."""
        account = self.find(session, remote_id)
        return [account.id] if account is not None else []

    def connected(self, session: Session, remote_id: str) -> bool:
        """Whether we hold the account's grant."""
        account = self.find(session, remote_id)
        return account is not None and bool(account.data_key)

    def revoke(self, session: Session, remote_id: str, actor: Actor, reason: str) -> dict[str, int]:
        """Revoke at the platform and erase the account's tokens and data key (row kept)."""
        return self.revoke_account(session, self.find(session, remote_id), actor, reason)

    def revoke_account(
        self, session: Session, account: Account | None, actor: Actor, reason: str
    ) -> dict[str, int]:
        """End one account's grant; empty when nothing is left to revoke (safe to run again)."""
        if account is None or not account.data_key:
            return {}
        tokens = int(bool(account.access_token_enc)) + int(bool(account.refresh_token_enc))
        session.commit()  # no transaction stays open across the revoke call to the platform
        self._disconnect(session, account, actor, reason)
        return {f"{self.kind}_tokens": tokens, "data_key": 1}

    def erase_account(self, session: Session, account_id: int) -> dict[str, int]:
        """Delete the account row (with any secrets left); the caller commits."""
        return delete_account(session, account_id, f"{self.kind}_profile")
