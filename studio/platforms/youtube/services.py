"""YouTube connection services: connect through Google, the accounts, disconnect (revoke, erase)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from flask import current_app
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record, scope
from studio.platforms.exchanges import holding_exchanges, release_exchanges
from studio.platforms.grants import close_grant, read_token
from studio.platforms.models import Account
from studio.platforms.oauth import (
    FlowError,
    begin,
    claim_code,
    code_refused,
    flow_context,
    new_verifier,
    refused,
    s256_challenge,
    unreachable,
)
from studio.platforms.youtube import quota
from studio.platforms.youtube.client import Channel, YouTubeClient
from studio.platforms.youtube.connection import (
    ACCOUNTS,
    LABEL,
    PLATFORM,
    SCOPES,
    account_by_channel,
    connected_accounts,
    get_client,
)
from studio.platforms.youtube.errors import (
    InvalidGrant,
    NoChannel,
    OAuthError,
    PlatformError,
    TransportError,
)
from studio.platforms.youtube.results import TokenSet
from studio.platforms.youtube.tokens import store_tokens
from studio.security import external_url
from studio.transport import Exchange

CONNECT = "connect"
CONNECTED = Action.YOUTUBE_CONNECTED
CONNECT_FAILED = Action.YOUTUBE_CONNECT_FAILED
DISCONNECTED = Action.YOUTUBE_DISCONNECTED


class ConsentAgain(Exception):
    """Google sent no refresh token and none is held for the channel: ask with prompt=consent."""

    def __init__(self, url: str) -> None:
        super().__init__("Google must be asked for consent again")
        self.url = url


def start_connect(session: Session, *, force_consent: bool | None = None) -> str:
    """Record a flow for this browser and return Google's consent URL.

    `prompt=consent` (which makes Google issue a refresh token again) is asked only when no
    connected channel holds a refresh token; a channel that then comes back without one gets
    a second round with it (ConsentAgain).
    """
    if force_consent is None:
        held = [a for a in connected_accounts(session) if a.is_usable and a.refresh_token_enc]
        force_consent = not held
    session.commit()
    redirect_uri = external_url("youtube.callback")
    verifier = new_verifier()
    ttl = int(current_app.config["YOUTUBE_FLOW_TTL"])
    context = {"consent": force_consent}
    state = begin(PLATFORM, CONNECT, SCOPES, redirect_uri, ttl, verifier, context)
    with get_client() as client:
        return client.authorize_url(
            redirect_uri, SCOPES, state, s256_challenge(verifier), force_consent=force_consent
        )


def complete_connect(session: Session, args: Mapping[str, str], user: object) -> Account:
    """Finish the flow: tokens, the channel, the account row (FlowError / ConsentAgain)."""
    with holding_exchanges() as held:
        flow, code, verifier = claim_code(PLATFORM, LABEL, CONNECT, args)
        with get_client() as client:
            tokens = exchange(client, code, verifier, flow.redirect_uri)
            _require_scopes(tokens)
            channel = _channel(client, tokens)
        quota.count(session, "channels.list")  # the same daily units publishing spends
        known = account_by_channel(session, channel.id)
        kept = read_token(known, "refresh") if known is not None else None
        session.commit()
        if not tokens.refresh_token and not kept:
            if flow_context(flow).get("consent"):
                raise FlowError(
                    "exchange",
                    502,
                    "Google sent no refresh token",
                    "Google did not give the long-lived authorization the studio needs. Nothing "
                    "was stored. Remove the app under your Google account's permissions, then "
                    "connect again.",
                )
            release_exchanges(held, known.id if known else None)
            raise ConsentAgain(start_connect(session, force_consent=True))
        tokens = tokens if tokens.refresh_token else replace(tokens, refresh_token=kept or "")
        account = _upsert(session, channel, tokens, user, held)
    actor = Actor.user(user)
    record(
        CONNECTED,
        actor=actor,
        summary=f"connected YouTube account #{account.id} with scopes {account.scopes}",
        payload={"channel_id": account.remote_id, "title": account.display_name},
        account_id=account.id,
    )
    return account


def exchange(client: YouTubeClient, code: str, verifier: str, redirect_uri: str) -> TokenSet:
    try:
        return client.exchange_code(code, redirect_uri, verifier)
    except InvalidGrant as exc:
        raise code_refused("Google", exc.error) from exc
    except TransportError as exc:
        raise unreachable("Google", exc) from exc
    except PlatformError as exc:
        code = exc.error if isinstance(exc, OAuthError) else getattr(exc, "code", "")
        raise refused("Google", str(code)) from exc


def _require_scopes(tokens: TokenSet) -> None:
    missing = tokens.missing(SCOPES)
    if missing:
        names = {SCOPES[0]: "upload videos", SCOPES[1]: "see the channel"}
        raise FlowError(
            "scopes",
            403,
            "Permissions missing",
            "Google's page had a box left unticked ("
            + ", ".join(names.get(s, s) for s in missing)
            + "). The studio needs both permissions, so nothing was connected. Connect again "
            "and leave every box ticked.",
            "missing_scope",
        )


def _channel(client: YouTubeClient, tokens: TokenSet) -> Channel:
    try:
        return client.my_channel(tokens.access_token)
    except NoChannel as exc:
        raise FlowError("channel", 400, "No YouTube channel", exc.plain, exc.code) from exc
    except PlatformError as exc:
        raise FlowError(
            "channel",
            502,
            "YouTube did not show the channel",
            "Google authorized the app but YouTube did not return the channel. Nothing was "
            "stored; try again in a moment.",
            str(getattr(exc, "code", "")),
        ) from exc


def _upsert(
    session: Session, channel: Channel, tokens: TokenSet, user: object, held: list[Exchange]
) -> Account:
    def fill(account: Account, now: dt.datetime) -> None:
        account.display_name = channel.title[:255]
        account.handle = channel.handle[:255] or None
        account.avatar_url = channel.avatar_url[:2048] or None
        account.refresh_expires_at = None
        store_tokens(account, tokens, now)

    return ACCOUNTS.store_connected(session, channel.id, user, held, fill)


def disconnect(session: Session, account: Account, actor: Actor, reason: str) -> bool:
    """Revoke the grant at Google, erase tokens and data key, mark disconnected; history stays.

    Returns whether Google confirmed that no grant remains (the erasure happens either way).
    """
    revoked = False
    with scope(actor=actor, account_id=account.id):
        session.refresh(account)
        token = read_token(account, "refresh") or read_token(account)
        session.commit()  # no transaction stays open across the revoke call
        if token:
            with get_client() as client:
                try:
                    client.revoke(token)  # False: already dead at Google, which is the goal
                    revoked = True
                except PlatformError:
                    revoked = False
    summary = f"disconnected YouTube account #{account.id}: {reason}" + (
        "" if revoked else " (Google did not confirm the revocation)"
    )
    close_grant(session, account, actor, reason, DISCONNECTED, summary, revoked_at_google=revoked)
    return revoked
