"""Meta connection services: log in through Facebook, choose Pages and Instagram accounts, end.

One connection per person: the login row (`meta`) keeps the long-lived user token; the Pages
(`facebook`) and Instagram professional accounts (`instagram`) staff choose hang off it. Meta
offers no PKCE for this flow (only its OIDC login, in testing, has it), so the flow rests on
a single-use state bound to this browser and sign-in. docs/platforms/meta.md, Connect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record, scope
from studio.platforms.exchanges import holding_exchanges
from studio.platforms.grants import close_grant, read_token
from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.connection import (
    LABEL,
    LOGIN,
    LOGINS,
    SCOPES,
    get_client,
    login_by_user,
    scopes,
)
from studio.platforms.meta.errors import LoginError, PlatformError, TransportError
from studio.platforms.meta.results import Person, UserToken
from studio.platforms.meta.tokens import store_user_token
from studio.platforms.models import Account
from studio.platforms.oauth import FlowError, begin, claim, code_refused, refused, unreachable
from studio.security import external_url

T = TypeVar("T")
CONNECT = "connect"
CODE_REFUSED = "expired, already used, or for another address"
CONNECT_FAILED = Action.META_CONNECT_FAILED
DISCONNECTED = Action.META_DISCONNECTED
# Without these nothing can be published; the insights permissions are optional.
REQUIRED = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "instagram_basic",
    "instagram_content_publish",
)


def start_connect(config_id: str | None, ttl_s: int) -> str:
    """Record a flow for this browser and return Facebook's login dialog URL."""
    redirect_uri = external_url("meta.callback")
    wanted = scopes(current_app.config)
    state = begin(LOGIN, CONNECT, wanted, redirect_uri, ttl_s, None)
    with get_client() as client:
        return client.authorize_url(redirect_uri, wanted, state, config_id=config_id)


def complete_connect(session: Session, args: Mapping[str, str], user: object) -> Account:
    """Finish the flow: code → short-lived → long-lived token, the person, the login row."""
    with holding_exchanges() as held:
        flow = claim(LOGIN, LABEL, CONNECT, args)
        code = args.get("code") or ""
        if not code:
            raise FlowError("exchange", 400, "No authorization code", "Meta sent no code back.")
        with get_client() as client:
            token = _long_lived(client, code, flow.redirect_uri)
            granted = _granted(client, token)
            person = _call(client.me, token, "the person who logged in")
        fill = _fill(person, token, granted)
        login = LOGINS.store_connected(session, person.id, user, held, fill)
    record(
        Action.META_CONNECTED,
        actor=Actor.user(user),
        summary=f"connected Meta login #{login.id} with scopes {login.scopes}",
        payload={"name": login.display_name},
        account_id=login.id,
    )
    return login


def _fill(
    person: Person, token: UserToken, granted: list[str]
) -> Callable[[Account, dt.datetime], None]:
    """What the upsert writes into the login row."""

    def fill(account: Account, now: dt.datetime) -> None:
        account.display_name = person.name[:255]
        account.handle = None
        account.avatar_url = person.picture_url[:2048] or None
        store_user_token(account, token, now)
        account.scopes = ",".join(granted)

    return fill


def _long_lived(client: MetaClient, code: str, redirect_uri: str) -> UserToken:
    """The code for a short-lived token, then that for a long-lived one (about 60 days)."""
    try:
        short = client.exchange_code(code, redirect_uri)
        return client.long_lived(short.access_token)
    except LoginError as exc:
        raise code_refused(
            "Meta", exc.code, "expired, already used, or for another address"
        ) from exc
    except TransportError as exc:
        raise unreachable("Meta", exc) from exc
    except PlatformError as exc:
        raise refused("Meta", str(getattr(exc, "code", "") or type(exc).__name__)) from exc


def _granted(client: MetaClient, token: UserToken) -> list[str]:
    """The permissions granted; every publishing one is required (people may untick some)."""
    granted = _call(client.permissions, token, "the permissions granted")
    missing = [s for s in REQUIRED if s not in granted]
    if missing:
        raise FlowError(
            "scopes",
            403,
            "Permissions missing",
            "Facebook's dialog had permissions turned off ("
            + ", ".join(missing)
            + "). The studio needs every publishing permission, so nothing was connected. "
            "Connect again and leave them all on.",
            "missing_scope",
        )
    return [s for s in SCOPES if s in granted]


def _call(fn: Callable[[str], T], token: UserToken, what: str) -> T:
    """One of the client's reads during the connect; a failure stores nothing."""
    try:
        return fn(token.access_token)
    except PlatformError as exc:
        raise FlowError(
            "profile",
            502,
            "Meta did not answer",
            f"Meta authorized the app but did not return {what}. Nothing was stored; try "
            "again in a moment.",
            str(getattr(exc, "code", "") or getattr(exc, "kind", "")),
        ) from exc


def disconnect(session: Session, login: Account, actor: Actor, reason: str) -> bool:
    """Remove the app's permissions at Meta, then erase the tokens of the login and of every
    Page and Instagram account chosen through it; history stays.

    Returns whether Meta confirmed the removal (the erasure happens either way).
    """
    revoked = False
    with scope(actor=actor, account_id=login.id):
        session.refresh(login)
        token = read_token(login)
        session.commit()  # no transaction stays open across the call to Meta
        if token:
            with get_client() as client:
                try:
                    revoked = client.revoke_permissions(token)
                except PlatformError:
                    revoked = False
    end_connection(session, login, actor, reason, revoked=revoked)
    return revoked


def end_connection(
    session: Session, login: Account, actor: Actor, reason: str, *, revoked: bool | None
) -> list[Account]:
    """End the grant of the login and of its accounts here, each audited; the ones ended."""
    ended = []
    for account in [*children(session, login), login]:
        if account.data_key or account.access_token_enc:
            name = account.display_name or account.remote_id
            summary = f"disconnected {account.platform} account #{account.id} ({name}): {reason}"
            if revoked is False and account is login:
                summary += " (Meta did not confirm the removal)"
            close_grant(session, account, actor, reason, DISCONNECTED, summary, revoked=revoked)
            ended.append(account)
    return ended


def grant_removed(session: Session, user_id: str, reason: str, actor: Actor) -> list[Account]:
    """Meta says the person removed the app: end their login's grants (no call to Meta)."""
    login = login_by_user(session, user_id)
    if login is None:
        session.commit()
        return []
    return end_connection(session, login, actor, reason, revoked=True)


def children(session: Session, login: Account) -> list[Account]:
    """The Pages and Instagram accounts chosen through this login (oldest first)."""
    stmt = select(Account).where(Account.parent_id == login.id).order_by(Account.id)
    return list(session.scalars(stmt))
