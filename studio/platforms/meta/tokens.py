"""Meta tokens at rest and fresh: the login's long-lived user token, Page tokens, renewal.

A person's login (`platform="meta"`) holds the long-lived user token (about 60 days); Meta has
no refresh token, so renewing exchanges the live long-lived token for a new one
(`fb_exchange_token`), which may end the old one: it is kept in one row only, and renewed
under that row's lock (one refresher per login). A Page holds its Page token, which does not
expire when it came from a long-lived user token. docs/platforms/meta.md, Tokens.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy.orm import Session

from studio.audit import Action
from studio.db import utcnow
from studio.platforms.grants import read_token, store_pair
from studio.platforms.meta.connection import INSTAGRAM, LOGIN, get_client
from studio.platforms.meta.errors import MetaError, TokenInvalid
from studio.platforms.meta.results import UserToken
from studio.platforms.models import Account
from studio.platforms.refresh import GrantRefused, Hook, Refresher

# Meta sent no expiry with a long-lived token: count the documented ~60 days.
LONG_LIVED_S = 60 * 86400
EXPIRED_CAUSE = (
    "Meta no longer accepts the stored login (it expired, or the app was removed in the "
    "person's Facebook settings). An admin must connect again."
)


class ReconnectNeeded(Exception):
    """The Meta login cannot be used until an admin connects it again."""

    def __init__(self, account_id: int, reason: str) -> None:
        super().__init__(f"Meta login #{account_id} needs reconnecting: {reason}")
        self.account_id = account_id
        self.reason = reason


def store_user_token(account: Account, tokens: UserToken, now: dt.datetime | None = None) -> None:
    """Encrypt the long-lived user token under the login's own data key."""
    store_pair(
        account,
        tokens.access_token,
        "",
        expires_in=tokens.expires_in if tokens.expires_in is not None else LONG_LIVED_S,
        refresh_expires_in=None,
        scopes=[],
        now=now or utcnow(),
    )


def store_page_token(account: Account, page_token: str, now: dt.datetime) -> None:
    """Encrypt a Page token under the Page account's own data key (it does not expire)."""
    store_pair(account, page_token, "", expires_in=0, refresh_expires_in=None, scopes=[], now=now)
    account.access_expires_at = None


def _exchange(user_token: str, hook: Hook) -> UserToken:
    """A new long-lived token for the live one, bounded by META_REFRESH_TIMEOUT (lock held)."""
    client = get_client(hook=hook)
    client.transport.timeout = float(current_app.config["META_REFRESH_TIMEOUT"])
    with client:
        try:
            return client.long_lived(user_token)
        except TokenInvalid as exc:
            raise GrantRefused(EXPIRED_CAUSE) from exc


def _summary(account: Account, tokens: UserToken) -> str:
    return f"long-lived user token renewed until {account.access_expires_at:%Y-%m-%d %H:%M} UTC"


REFRESHER = Refresher(
    platform=LOGIN,
    label="Meta",
    issuer="Meta",
    refreshed=Action.META_REFRESHED,
    failed=Action.META_REFRESH_FAILED,
    reconnect_needed=ReconnectNeeded,
    platform_error=MetaError,
    token_invalid=TokenInvalid,
    exchange=_exchange,
    store=store_user_token,
    summary=_summary,
    renew_with="access",
)
user_token = REFRESHER.access_token


def token_for(session: Session, account: Account) -> str:
    """The token an account's Graph calls use: its Page token, or (Instagram) its login's
    user token, renewed first when it expires soon."""
    if account.platform == INSTAGRAM or account.platform == LOGIN:
        login_id = account.id if account.platform == LOGIN else account.parent_id
        if login_id is None:
            raise ReconnectNeeded(account.id, "the account has no Meta login")
        return user_token(session, login_id)
    token = read_token(account) if account.is_usable else None
    if not token:
        raise ReconnectNeeded(account.id, "the Page is disconnected")
    return token
