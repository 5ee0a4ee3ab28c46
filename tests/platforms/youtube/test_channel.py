"""channels.list?mine=true through the client: the channel, no channel, a dead token."""

from __future__ import annotations

import pytest
import requests

from studio.platforms.retry import RetryAction
from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.errors import AuthError, NoChannel, retry_action
from studio.transport import Exchange
from tests.platforms.youtube.support import connect
from tests.sandbox.youtube.support import Google


def test_my_channel(client: YouTubeClient, http: requests.Session, seen: list[Exchange]) -> None:
    channel = client.my_channel(connect(client, http).access_token)
    assert channel.title == "Acme Studio" and channel.handle == "@acmestudio"
    assert channel.id.startswith("UC") and channel.avatar_url.startswith("http")
    assert http.get(channel.avatar_url).status_code == 200
    call = seen[-1]
    assert call.kind == "api" and call.status == 200 and "mine=true" in call.url
    assert call.request_headers["Authorization"].startswith("Bearer ")


def test_account_without_channel_is_told_in_plain_words(
    client: YouTubeClient, http: requests.Session
) -> None:
    tokens = connect(client, http, channel="nochannel")
    with pytest.raises(NoChannel) as caught:
        client.my_channel(tokens.access_token)
    assert "has no YouTube channel" in caught.value.plain
    assert retry_action(caught.value) is RetryAction.RECONNECT


def test_expired_access_token_asks_for_a_refresh(
    client: YouTubeClient, http: requests.Session, yt: Google, seen: list[Exchange]
) -> None:
    tokens = connect(client, http)
    yt.control("expire_tokens")
    with pytest.raises(AuthError) as caught:
        client.my_channel(tokens.access_token)
    assert caught.value.http_status == 401 and caught.value.reason == "authError"
    assert retry_action(caught.value) is RetryAction.REFRESH_TOKEN
    assert seen[-1].code == "authError"
    assert client.my_channel(client.refresh(tokens.refresh_token).access_token).title
