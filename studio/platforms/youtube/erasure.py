"""YouTube's part in data requests: the channel's owner proves it by signing in with Google."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from studio.platforms.erasure import Identity, NotConfirmed, OneAccount
from studio.platforms.oauth import (
    begin,
    claim_code,
    flow_context,
    new_verifier,
    s256_challenge,
)
from studio.platforms.youtube import quota, services
from studio.platforms.youtube.connection import (
    ACCOUNTS,
    LABEL,
    PLATFORM,
    READONLY_SCOPE,
    enabled,
    get_client,
)
from studio.platforms.youtube.errors import NoChannel, PlatformError
from studio.security import external_url

PURPOSE = "privacy_verify"
SCOPES = [READONLY_SCOPE]  # see the channel (ID, title, handle): enough to prove ownership


class SignIn:
    """ "Verify with Google": which channel the person signing in owns (channels.list mine)."""

    label = LABEL
    account_word = "YouTube channel"
    name_word = "name or @handle"
    name_label = "YouTube channel name or @handle"
    reads = "to see your YouTube channel (its ID, name and handle), read-only,"

    def available(self, config: Mapping[str, Any]) -> bool:
        """Owners sign in with Google when YouTube is configured."""
        return enabled(config)

    def start(self, context: Mapping[str, Any], callback: str) -> str:
        """Record a flow and return Google's consent URL (read-only scope)."""
        redirect_uri = external_url(callback)
        verifier = new_verifier()
        ttl = int(current_app.config["YOUTUBE_FLOW_TTL"])
        state = begin(PLATFORM, PURPOSE, SCOPES, redirect_uri, ttl, verifier, context)
        with get_client() as client:
            return client.authorize_url(redirect_uri, SCOPES, state, s256_challenge(verifier))

    def finish(self, session: Session, args: Mapping[str, str]) -> tuple[dict[str, Any], Identity]:
        """Exchange the code, then ask YouTube for the signed-in person's channel."""
        flow, code, verifier = claim_code(PLATFORM, LABEL, PURPOSE, args)
        with get_client() as client:
            tokens = services.exchange(client, code, verifier, flow.redirect_uri)
            if tokens.missing(SCOPES):
                raise NotConfirmed(
                    "Google's page had the box to see your YouTube channel left unticked, so we "
                    "could not check which channel is yours. Nothing was changed; try again."
                )
            try:
                channel = client.my_channel(tokens.access_token)
            except NoChannel as exc:
                raise NotConfirmed(
                    "The Google account you signed in with has no YouTube channel. Nothing was "
                    "changed; sign in with the account that owns the channel."
                ) from exc
            except PlatformError as exc:
                raise NotConfirmed(
                    "YouTube did not tell us which channel is yours. Nothing was changed; try "
                    "again."
                ) from exc
        quota.count(session, "channels.list")  # the same daily units publishing spends
        session.commit()
        names = tuple(n for n in (channel.title, channel.handle) if n)
        return flow_context(flow), Identity(channel.id, names, tokens.access_token)

    def revoke_token(self, token: str) -> bool:
        """Revoke a token we never stored at Google."""
        with get_client() as client:
            try:
                return client.revoke(token)
            except PlatformError:
                return False


ERASURE = OneAccount(
    ACCOUNTS,
    subject_key="channel_id",
    labels={
        "youtube_tokens": "Google access and refresh tokens (revoked at Google, then erased)",
        "youtube_profile": "YouTube channel (channel ID, title, handle, picture)",
    },
    sign_in=SignIn(),
    disconnect=services.disconnect,
)
