"""Every platform's fresh tokens: one refresh per account at a time, under its row lock."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.audit import record, scope
from studio.db import utcnow
from studio.platforms.exchanges import report_exchange
from studio.platforms.grants import destroy_secrets, fresh_account, locked_account, read_token
from studio.platforms.models import Account, AccountStatus
from studio.transport import Exchange

log = logging.getLogger(__name__)
T = TypeVar("T")
Hook = Callable[[Exchange], None]


class Tokens(Protocol):
    """What the shared refresh reads of a platform's token answer."""

    @property
    def access_token(self) -> str: ...


P = TypeVar("P", bound=Tokens)


class GrantRefused(Exception):
    """The platform refused the refresh token (invalid_grant): the reason, for staff."""


@dataclass(frozen=True)
class Refresher(Generic[P]):
    """One platform's token refresh: its names, errors and exchange; the flow is shared.

    `exchange(refresh_token, hook)` asks the platform for a new pair (its exchanges go to
    `hook`) and raises GrantRefused when the grant is gone; `store(account, tokens, now)` keeps
    the pair; `summary(account, tokens)` says in the audit log what was refreshed.
    """

    platform: str  # Account.platform
    label: str  # "the TikTok account does not exist"
    issuer: str  # "Google needs a reconnect"
    refreshed: str  # audit actions
    failed: str
    reconnect_needed: type[Exception]  # built with (account_id, reason)
    platform_error: type[Exception]  # a failed exchange: recorded, raised, retried later
    token_invalid: type[Exception]  # the platform rejected a token: refresh once, retry once
    exchange: Callable[[str, Hook], P]
    store: Callable[[Account, P, dt.datetime], None]
    summary: Callable[[Account, P], str]
    # The stored token a refresh presents: "refresh" (OAuth refresh tokens), or "access" where
    # the platform renews a live token itself (Meta's long-lived user token).
    renew_with: str = "refresh"

    def access_token(self, session: Session, account_id: int, *, min_valid_s: int = 300) -> str:
        """A token valid for at least `min_valid_s`; refreshes (single flight) when needed.

        Commits: no transaction stays open across the platform call that follows (a refresh
        runs in its own writer transaction).
        """
        account = fresh_account(session, account_id)
        session.commit()
        problem = self._unusable(account, account_id)
        if problem:
            raise problem
        assert account is not None
        token = read_token(account)
        if token and not account.access_expires_within(min_valid_s):
            return token
        return self._refresh(session, account_id, min_valid_s, None)

    def force_refresh(
        self, session: Session, account_id: int, *, stale_token: str | None = None
    ) -> str:
        """Refresh after the platform rejected `stale_token` (skipped if another did it)."""
        return self._refresh(session, account_id, None, stale_token)

    def call_with_token(self, session: Session, account_id: int, fn: Callable[[str], T]) -> T:
        """Call `fn(token)`; after a rejected token, refresh once and retry once."""
        with scope(account_id=account_id):
            token = self.access_token(session, account_id)
            try:
                return fn(token)
            except self.token_invalid:
                return fn(self.force_refresh(session, account_id, stale_token=token))

    def due(self, session: Session, within_s: int) -> list[int]:
        """Ids of connected accounts whose access token expires within `within_s` seconds."""
        stmt = (
            select(Account)
            .where(
                Account.platform == self.platform,
                Account.status == AccountStatus.CONNECTED,
                Account.data_key.is_not(None),
            )
            .order_by(Account.id)
        )
        return [a.id for a in session.scalars(stmt) if a.access_expires_within(within_s)]

    def refresh_expiring(
        self, session: Session, ahead: int, then: Callable[[int], None] | None = None
    ) -> dict[str, int]:
        """Refresh every account expiring within `ahead` s, then `then(id)`; never raises."""
        counts = {"refreshed": 0, "reconnect": 0, "failed": 0}
        for account_id in self.due(session, ahead):
            try:
                self.access_token(session, account_id, min_valid_s=ahead)
            except self.reconnect_needed:
                counts["reconnect"] += 1
            except self.platform_error as exc:
                counts["failed"] += 1  # retried on the next run, well before expiry
                log.warning("refresh of %s account %s failed: %s", self.label, account_id, exc)
            else:
                counts["refreshed"] += 1
                if then is not None:
                    then(account_id)
        return counts

    def needs_reconnect(self, session: Session, account: Account, reason: str) -> tuple[str, str]:
        """Mark the account and erase its tokens, which no longer work; keep the row; commit."""
        account.status = AccountStatus.NEEDS_RECONNECT
        account.status_reason = reason[:500]
        destroy_secrets(session, account)
        session.commit()
        return self.failed, f"needs reconnect: {reason}"

    def _unusable(self, account: Account | None, account_id: int) -> Exception | None:
        if account is None:
            return self.reconnect_needed(account_id, f"the {self.label} account does not exist")
        if account.status == AccountStatus.NEEDS_RECONNECT:  # its secrets are erased too
            reason = account.status_reason or f"{self.issuer} needs a reconnect"
            return self.reconnect_needed(account_id, reason)
        if account.status == AccountStatus.DISCONNECTED or not account.data_key:
            return self.reconnect_needed(account_id, f"the {self.label} account is disconnected")
        return None

    def _refresh(
        self, session: Session, account_id: int, min_valid_s: int | None, stale: str | None
    ) -> str:
        """Lock the row, re-check, refresh at the platform if still needed, commit the pair.

        The call happens under the lock (that is the single flight), bounded by the platform's
        refresh timeout; its audit exchanges are recorded once the lock is released.
        """
        exchanges: list[Exchange] = []
        outcome: tuple[str, str] | None = None
        token: str | None = None
        try:
            with scope(account_id=account_id):
                token, outcome = self._locked(session, account_id, min_valid_s, stale, exchanges)
        except self.platform_error as exc:
            outcome = (self.failed, f"refresh failed, will retry: {exc}")
            raise
        finally:
            if session.in_transaction():
                session.rollback()
            with scope(account_id=account_id):
                for exchange in exchanges:
                    report_exchange(exchange)
                if outcome is not None:
                    failed = outcome[0] == self.failed
                    record(outcome[0], summary=outcome[1], status="error" if failed else "ok")
        if token is None:
            raise self.reconnect_needed(account_id, outcome[1] if outcome else "")
        return token

    def _locked(
        self,
        session: Session,
        account_id: int,
        min_valid_s: int | None,
        stale: str | None,
        exchanges: list[Exchange],
    ) -> tuple[str | None, tuple[str, str] | None]:
        account = locked_account(session, account_id)
        problem = self._unusable(account, account_id)
        if problem:
            session.rollback()
            raise problem
        assert account is not None
        current = read_token(account)
        if current and min_valid_s is not None and not account.access_expires_within(min_valid_s):
            session.commit()
            return current, None  # another worker refreshed while we waited for the lock
        if current and stale is not None and current != stale:
            session.commit()
            return current, None
        refresh_token = read_token(account, self.renew_with)
        if not refresh_token or account.refresh_expired:
            return None, self.needs_reconnect(session, account, "the refresh token expired")
        try:
            tokens = self.exchange(refresh_token, exchanges.append)
        except GrantRefused as exc:
            return None, self.needs_reconnect(session, account, str(exc))
        now = utcnow()
        self.store(account, tokens, now)
        account.last_refresh_at = now
        session.commit()
        return tokens.access_token, (self.refreshed, self.summary(account, tokens))
