"""user/info and creator_info: fields, scopes, token validity and rate limits."""

from __future__ import annotations

import pytest

from tests.sandbox.support import TikTok


def test_user_info_returns_only_requested_fields(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    resp = tt.api("/v2/user/info/?fields=open_id,display_name,avatar_url", token, method="GET")
    body = resp.json()
    assert resp.status_code == 200 and body["error"]["code"] == "ok"
    assert set(body["data"]["user"]) == {"open_id", "display_name", "avatar_url"}
    avatar = tt.http.get(body["data"]["user"]["avatar_url"])
    assert avatar.headers["Content-Type"].startswith("image/svg+xml")


def test_user_info_requires_fields(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    resp = tt.api("/v2/user/info/", token, method="GET")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_params"


def test_user_info_field_needs_its_scope(tt: TikTok) -> None:
    token = tt.login(scope="user.info.basic")["access_token"]
    resp = tt.api("/v2/user/info/?fields=open_id,follower_count", token, method="GET")
    body = resp.json()
    assert resp.status_code == 400 and body["error"]["code"] == "scope_permission_missed"
    assert body["data"] == {}


def test_missing_scope_is_401_scope_not_authorized(tt: TikTok) -> None:
    token = tt.login(scope="user.info.basic,video.upload")["access_token"]
    resp = tt.api("/v2/post/publish/creator_info/query/", token)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "scope_not_authorized"


@pytest.mark.parametrize("header", [None, "Bearer act.unknown", "Basic abc"])
def test_invalid_token_is_401(tt: TikTok, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    resp = tt.http.get(f"{tt.url}/v2/user/info/?fields=open_id", headers=headers)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "access_token_invalid"


def test_expired_token_is_401(tt: TikTok) -> None:
    tt.server.configure(access_ttl=0)
    token = tt.login()["access_token"]
    resp = tt.api("/v2/user/info/?fields=open_id", token, method="GET")
    assert resp.status_code == 401


def test_refresh_revokes_previous_access_token(tt: TikTok) -> None:
    first = tt.login()
    second = tt.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    old = tt.api("/v2/user/info/?fields=open_id", first["access_token"], method="GET")
    new = tt.api("/v2/user/info/?fields=open_id", second["access_token"], method="GET")
    assert old.status_code == 401 and new.status_code == 200


def test_early_expiry_fault(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    tt.server.configure(access_token_max_age=300)  # a token minutes old is still good
    assert tt.api("/v2/user/info/?fields=open_id", token, method="GET").status_code == 200
    tt.server.configure(access_token_max_age=0)  # any token issued before now is dead
    assert tt.api("/v2/user/info/?fields=open_id", token, method="GET").status_code == 401


def test_user_info_rate_limit(tt: TikTok) -> None:
    tt.server.configure(rate_limit_user_info=3)
    token = tt.login()["access_token"]
    codes = [
        tt.api("/v2/user/info/?fields=open_id", token, method="GET").status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_creator_info_public_and_private(tt: TikTok) -> None:
    public = tt.api("/v2/post/publish/creator_info/query/", tt.login()["access_token"]).json()
    assert public["data"]["privacy_level_options"][0] == "PUBLIC_TO_EVERYONE"
    assert public["data"]["duet_disabled"] is False
    private_token = tt.login(creator="quiet")["access_token"]
    private = tt.api("/v2/post/publish/creator_info/query/", private_token).json()["data"]
    assert "FOLLOWER_OF_CREATOR" in private["privacy_level_options"]
    assert private["duet_disabled"] and private["stitch_disabled"]
    assert private["creator_nickname"] == "Quiet Lab (private)"
    assert private["max_video_post_duration_sec"] == 180


def test_creator_info_spam_is_http_200(tt: TikTok) -> None:
    token = tt.login(creator="spammy")["access_token"]
    resp = tt.api("/v2/post/publish/creator_info/query/", token)
    assert resp.status_code == 200
    assert resp.json()["error"]["code"] == "spam_risk_too_many_posts"


def test_creator_info_rate_limit_20(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    codes = [tt.api("/v2/post/publish/creator_info/query/", token).status_code for _ in range(21)]
    assert codes.count(200) == 20 and codes[-1] == 429
