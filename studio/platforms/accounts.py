"""Every platform's accounts: look them up, and store one that was just connected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db, vault
from studio.db import utcnow
from studio.platforms.exchanges import release_exchanges
from studio.platforms.models import Account, AccountStatus
from studio.transport import Exchange


@dataclass(frozen=True)
class Accounts:
    """One platform's accounts, looked up by the platform's name in `Account.platform`."""

    platform: str

    def by_remote_id(self, session: Session, remote_id: str) -> Account | None:
        """One account by the platform's id for it (TikTok's open_id, YouTube's channel id)."""
        return session.scalar(
            select(Account).where(Account.platform == self.platform, Account.remote_id == remote_id)
        )

    def every(self, session: Session) -> list[Account]:
        """Every account ever connected, disconnected ones included (oldest first)."""
        stmt = select(Account).where(Account.platform == self.platform).order_by(Account.id)
        return list(session.scalars(stmt))

    def in_use(self, session: Session) -> list[Account]:
        """Accounts in use: connected or needing a reconnect (oldest first)."""
        return [a for a in self.every(session) if a.status != AccountStatus.DISCONNECTED]

    def one(self, session: Session, account_id: int) -> Account | None:
        """One account by id (None for another platform's)."""
        account = session.get(Account, account_id)
        return account if account is not None and account.platform == self.platform else None

    def store_connected(
        self,
        session: Session,
        remote_id: str,
        user: object | None,
        held: list[Exchange] | None,
        fill: Callable[[Account, dt.datetime], None],
    ) -> Account:
        """Lock (or create) the account, give it a new data key and mark it connected; commit.

        `fill(account, now)` sets the platform's profile fields and stores the tokens. The `held`
        sign-in exchanges are recorded against the account inside this transaction: if the audit
        cannot record them, nothing is stored.
        """
        db.begin_write(session)
        account = session.scalar(
            select(Account)
            .where(Account.platform == self.platform, Account.remote_id == remote_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if account is None:
            account = Account(platform=self.platform, remote_id=remote_id)
            session.add(account)
        now = utcnow()
        account.data_key = vault.new_data_key()  # a reconnect never reuses the old key
        account.refresh_token_enc = None
        fill(account, now)
        account.status = AccountStatus.CONNECTED
        account.status_reason = None
        account.connected_by_id = getattr(user, "id", None)
        account.connected_at = now
        account.last_refresh_at = None
        account.disconnected_at = None
        session.flush()
        if held:
            release_exchanges(held, account.id)
        session.commit()
        return account
