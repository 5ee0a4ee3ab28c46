"""Erasing what Meta connections hold for one Meta user: grants, account rows (receipt counts).

A Meta user (the app-scoped id Meta's signed callbacks name) is the person behind a login
row; the Pages and Instagram accounts chosen through it are theirs to ask about too.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from studio.audit import Actor
from studio.platforms.grants import delete_account
from studio.platforms.meta import services
from studio.platforms.meta.connection import login_by_user
from studio.platforms.models import Account


def accounts_for_user(session: Session, user_id: str) -> list[int]:
    """Ids of the person's login and of the accounts chosen through it (the login last)."""
    login = login_by_user(session, user_id) if user_id else None
    if login is None:
        return []
    return [a.id for a in services.children(session, login)] + [login.id]


def revoke_for_user(session: Session, user_id: str, actor: Actor, reason: str) -> dict[str, int]:
    """Remove the app's permissions at Meta and erase every token and data key of the person's
    accounts (rows kept). Returns the receipt counts; empty when nothing is left to revoke."""
    login = login_by_user(session, user_id) if user_id else None
    if login is None:
        return {}
    accounts = [*services.children(session, login), login]
    tokens = sum(1 for a in accounts if a.access_token_enc)
    keys = sum(1 for a in accounts if a.data_key)
    session.commit()  # no transaction stays open across the call to Meta
    if not keys:
        return {}
    if login.data_key:
        services.disconnect(session, login, actor, reason)
    else:
        services.end_connection(session, login, actor, reason, revoked=None)
    return {"meta_tokens": tokens, "data_key": keys}


def erase_for_account(session: Session, account_id: int | None) -> dict[str, int]:
    """Delete one account row of a Meta connection (id, name, handle, picture); caller commits."""
    account = session.get(Account, account_id) if account_id is not None else None
    if account is None:
        return {}
    return delete_account(session, account_id, f"{account.platform}_profile")


class Erasure:
    """Meta's part in data requests: Meta forwards them, signed, naming its app-scoped user id."""

    kind = "meta"
    subject_key = "meta_user_id"
    labels: Mapping[str, str] = {
        "meta_tokens": "Meta access tokens (the app's permissions removed at Meta, then erased)",
        "meta_profile": "Your Meta login in the app (app-scoped user ID, name, picture)",
        "facebook_profile": "Facebook Pages chosen through your login (ID, name, picture)",
        "instagram_profile": "Instagram accounts chosen through your login (ID, name, "
        "username, picture)",
    }
    sign_in = None  # requests arrive through Meta's signed callback
    searched_as = "Meta user"

    def locate(self, session: Session, remote_id: str) -> list[int]:
        """The person's login and the accounts chosen through it (the login last)."""
        return accounts_for_user(session, remote_id)

    def connected(self, session: Session, remote_id: str) -> bool:
        """Whether the person's login still holds a grant."""
        login = login_by_user(session, remote_id) if remote_id else None
        return login is not None and bool(login.data_key)

    def revoke(self, session: Session, remote_id: str, actor: Actor, reason: str) -> dict[str, int]:
        """Remove the app's permissions at Meta; erase every token and data key."""
        return revoke_for_user(session, remote_id, actor, reason)

    def erase_account(self, session: Session, account_id: int) -> dict[str, int]:
        """Delete one account row of the connection."""
        return erase_for_account(session, account_id)


ERASURE = Erasure()
