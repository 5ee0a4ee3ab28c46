"""OAuth against the sandbox: consent URL, exchange, refresh (newest token kept), revoke, expiry."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from studio.platforms.retry import RetryAction
from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.errors import InvalidGrant, OAuthError, retry_action
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange
from tests.platforms.youtube.support import SCOPE_LIST, connect, consent
from tests.sandbox.youtube.support import REDIRECT, VERIFIER, Google, challenge


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_authorize_url_asks_offline_with_pkce_and_no_secret(client: YouTubeClient) -> None:
    query = _query(client.authorize_url(REDIRECT, SCOPE_LIST, "st-9", challenge()))
    assert query["access_type"] == "offline" and query["code_challenge_method"] == "S256"
    assert query["scope"] == " ".join(SCOPE_LIST) and query["state"] == "st-9"
    assert "prompt" not in query and "client_secret" not in query
    forced = client.authorize_url(REDIRECT, SCOPE_LIST, "st-9", challenge(), force_consent=True)
    assert _query(forced)["prompt"] == "consent"


def test_exchange_gives_tokens_once_and_reconnect_needs_consent(
    client: YouTubeClient, http: requests.Session, seen: list[Exchange]
) -> None:
    first = connect(client, http)
    assert first.access_token and first.refresh_token and first.rotated
    assert first.missing(SCOPE_LIST) == []
    assert first.access_token not in repr(first) and first.refresh_token not in repr(first)
    again = connect(client, http)  # the account's second plain sign-in: no refresh token
    assert again.refresh_token == "" and not again.rotated
    forced = connect(client, http, force_consent=True)
    assert forced.refresh_token and forced.refresh_token != first.refresh_token
    assert [e.kind for e in seen] == ["oauth"] * 3


def test_unticked_scope_is_visible(client: YouTubeClient, http: requests.Session) -> None:
    url = client.authorize_url(REDIRECT, SCOPE_LIST, "st-1", challenge())
    code = consent(http, url, granted=SCOPE_LIST[:1])["code"]
    tokens = client.exchange_code(code, REDIRECT, VERIFIER)
    assert tokens.missing(SCOPE_LIST) == SCOPE_LIST[1:]


def test_wrong_verifier_and_replayed_code_are_invalid_grant(
    client: YouTubeClient, http: requests.Session
) -> None:
    url = client.authorize_url(REDIRECT, SCOPE_LIST, "st-1", challenge())
    code = consent(http, url)["code"]
    with pytest.raises(InvalidGrant) as caught:
        client.exchange_code(code, REDIRECT, VERIFIER[::-1] + "x")
    assert retry_action(caught.value) is RetryAction.RECONNECT


def test_refresh_keeps_the_old_token_when_none_comes(
    client: YouTubeClient, http: requests.Session
) -> None:
    tokens = connect(client, http)
    renewed = client.refresh(tokens.refresh_token)
    assert renewed.refresh_token == tokens.refresh_token and not renewed.rotated
    assert renewed.access_token != tokens.access_token and renewed.expires_in == 3599


def test_refresh_keeps_the_newest_token(
    client: YouTubeClient, http: requests.Session, ysbx: SandboxServer
) -> None:
    ysbx.youtube.configure(new_refresh_every=1)
    tokens = connect(client, http)
    renewed = client.refresh(tokens.refresh_token)
    assert renewed.rotated and renewed.refresh_token != tokens.refresh_token
    with pytest.raises(InvalidGrant):  # the superseded one died
        client.refresh(tokens.refresh_token)
    assert client.refresh(renewed.refresh_token).access_token


def test_testing_mode_kills_refresh_after_seven_days(
    client: YouTubeClient, http: requests.Session, ysbx: SandboxServer
) -> None:
    ysbx.youtube.configure(testing_mode=True)
    tokens = connect(client, http)
    left = client.refresh(tokens.refresh_token).refresh_token_expires_in
    assert left is not None and 7 * 86400 - 60 < left <= 7 * 86400
    ysbx.youtube.advance(7 * 86400 + 1)
    with pytest.raises(InvalidGrant) as caught:
        client.refresh(tokens.refresh_token)
    assert "7 days" in caught.value.plain and "Testing" in caught.value.plain
    assert retry_action(caught.value) is RetryAction.RECONNECT


def test_revoke_ends_the_grant_and_a_second_revoke_says_so(
    client: YouTubeClient, http: requests.Session, seen: list[Exchange]
) -> None:
    tokens = connect(client, http)
    assert client.revoke(tokens.access_token) is True
    with pytest.raises(InvalidGrant):
        client.refresh(tokens.refresh_token)
    assert client.revoke(tokens.refresh_token) is False
    revokes = [e for e in seen if e.url.endswith("/revoke")]
    assert [e.status for e in revokes] == [200, 400] and revokes[1].code == "invalid_token"
    assert all("token" in (e.request_body or {}) for e in revokes)  # in the body, not the URL


def test_token_endpoint_outage_is_backoff(
    client: YouTubeClient, http: requests.Session, yt: Google
) -> None:
    tokens = connect(client, http)
    yt.control("faults", {"fail_next": [{"endpoint": "/google/token", "kind": "503"}]})
    with pytest.raises(OAuthError) as caught:
        client.refresh(tokens.refresh_token)
    assert caught.value.error == "temporarily_unavailable"
    assert retry_action(caught.value) is RetryAction.BACKOFF
