"""channels.list and the Data API's error shapes; quota buckets and their two errors."""

from __future__ import annotations

import os

import pytest

from tests.sandbox.youtube.support import Google, reason


def test_channels_list_mine_gives_title_handle_avatar(yt: Google) -> None:
    token = yt.login()["access_token"]
    resp = yt.get("/youtube/v3/channels", token, part="snippet", mine="true")
    assert resp.status_code == 200
    channel = resp.json()["items"][0]
    assert channel["id"].startswith("UC") and len(channel["id"]) == 24
    snippet = channel["snippet"]
    assert (snippet["title"], snippet["customUrl"]) == ("Acme Studio", "@acmestudio")
    avatar = snippet["thumbnails"]["default"]
    assert avatar["width"] == 88 and yt.http.get(avatar["url"]).status_code == 200


def test_account_without_channel_gets_no_items_key(yt: Google) -> None:
    token = yt.login(channel="nochannel")["access_token"]
    body = yt.get("/youtube/v3/channels", token, part="snippet", mine="true").json()
    assert "items" not in body and body["pageInfo"]["totalResults"] == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mine": "true"}, "required"),
        ({"part": "snippet,secrets", "mine": "true"}, "unknownPart"),
        ({"part": "snippet"}, "missingRequiredParameter"),
        ({"part": "snippet", "mine": "true", "id": "UCx"}, "incompatibleParameters"),
    ],
)
def test_channels_list_parameter_errors(yt: Google, params: dict[str, str], expected: str) -> None:
    resp = yt.get("/youtube/v3/channels", yt.login()["access_token"], **params)
    assert resp.status_code == 400 and reason(resp) == expected
    assert set(resp.json()["error"]) >= {"code", "message", "errors"}


def test_units_quota_exceeded_is_403_and_resets_at_pacific_midnight(yt: Google) -> None:
    yt.state.configure(quota_units_per_day=2)
    token = yt.login()["access_token"]
    for _ in range(2):
        assert yt.get("/youtube/v3/channels", token, part="snippet").status_code == 400
    resp = yt.get("/youtube/v3/channels", token, part="snippet", mine="true")
    assert resp.status_code == 403 and reason(resp) == "quotaExceeded"
    assert resp.json()["error"]["errors"][0]["domain"] == "youtube.quota"
    assert yt.start(token, 100).status_code == 200  # the upload bucket is separate
    yt.control("advance", {"seconds": 86400})
    token = yt.login()["access_token"]  # a day later the hour-long token is gone too
    assert yt.get("/youtube/v3/channels", token, part="snippet", mine="true").status_code == 200


def test_upload_bucket_exceeded_is_403_quota(yt: Google) -> None:
    yt.state.configure(upload_calls_per_day=1)
    token = yt.login()["access_token"]
    assert yt.start(token, 100).status_code == 200
    resp = yt.start(token, 100)
    assert resp.status_code == 403 and reason(resp) == "quotaExceeded"
    assert yt.get("/youtube/v3/channels", token, part="snippet", mine="true").status_code == 200
    usage = yt.state.summary()["quota"]
    assert (usage["upload_calls_used"], usage["units_used"]) == (1, 1)


def test_channel_cap_is_400_upload_limit_exceeded(yt: Google) -> None:
    yt.state.configure(channel_uploads_per_day=1)
    token = yt.login()["access_token"]
    assert yt.upload(token, os.urandom(100)).status_code == 201
    resp = yt.start(token, 100)
    assert resp.status_code == 400 and reason(resp) == "uploadLimitExceeded"
    other = yt.login(channel="second")["access_token"]
    assert yt.start(other, 100).status_code == 200  # the cap is the channel's, not the project's
    yt.control("advance", {"seconds": 86400})
    assert yt.start(yt.login()["access_token"], 100).status_code == 200
