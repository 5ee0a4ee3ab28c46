"""Init endpoints: body rules, chunk rules, limits and Direct Post checks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.support import MIB, TikTok

DIRECT = "/v2/post/publish/video/init/"
INBOX = "/v2/post/publish/inbox/video/init/"
SMALL = {"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1}


def _post_info(**changes: Any) -> dict[str, Any]:
    return {
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "title": "Hello #acme",
        "brand_content_toggle": False,
        "brand_organic_toggle": False,
        **changes,
    }


def _error(resp: Any) -> tuple[int, str]:
    return resp.status_code, resp.json()["error"]["code"]


def test_inbox_init_shape(tt: TikTok) -> None:
    body = tt.inbox_init(tt.login()["access_token"], 11 * MIB, 5 * MIB, 2).json()
    assert body["error"]["code"] == "ok" and len(body["error"]["log_id"]) == 32
    assert body["data"]["publish_id"].startswith("v_inbox_file~v2.")
    url = body["data"]["upload_url"]
    assert url.startswith(f"{tt.url}/upload/?upload_id=") and len(url) < 256


@pytest.mark.parametrize(
    ("size", "chunk", "count", "words"),
    [
        (8 * MIB, 4 * MIB, 2, "5 MB"),
        (1001 * 4 * MIB, 4 * MIB, 1001, "1000"),
        (50_000_123, 10_000_000, 4, "floor"),
        (65 * MIB, 65 * MIB, 1, "multiple chunks"),
    ],
)
def test_inbox_init_rejects_bad_chunk_plans(
    tt: TikTok, size: int, chunk: int, count: int, words: str
) -> None:
    resp = tt.inbox_init(tt.login()["access_token"], size, chunk, count)
    assert _error(resp) == (400, "invalid_param") and words in resp.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"source_info": SMALL, "post_info": {"title": "x"}},
        {"source_info": {**SMALL, "video_url": "https://x.example/v.mp4"}},
        {"source_info": {**SMALL, "video_size": "1000"}},
        {"source_info": {"source": "FILE_UPLOAD", "video_size": 1000}},
        {},
    ],
)
def test_inbox_init_body_is_strict(tt: TikTok, body: dict[str, Any]) -> None:
    assert _error(tt.api(INBOX, tt.login()["access_token"], body)) == (400, "invalid_param")


def test_inbox_init_needs_video_upload_scope(tt: TikTok) -> None:
    token = tt.login(scope="user.info.basic,video.publish")["access_token"]
    assert _error(tt.api(INBOX, token, {"source_info": SMALL})) == (401, "scope_not_authorized")


def test_seventh_init_in_a_minute_is_429(tt: TikTok) -> None:
    tt.server.configure(pending_share_limit=100)
    token = tt.login()["access_token"]
    codes = [tt.api(INBOX, token, {"source_info": SMALL}).status_code for _ in range(7)]
    assert codes == [200] * 6 + [429]
    direct = tt.api(DIRECT, token, {"post_info": _post_info(), "source_info": SMALL})
    assert direct.status_code == 200  # each endpoint has its own budget


def test_sixth_pending_share_is_403(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    codes = [tt.api(INBOX, token, {"source_info": SMALL}).status_code for _ in range(5)]
    assert codes == [200] * 5
    sixth = tt.api(INBOX, token, {"source_info": SMALL})
    assert _error(sixth) == (403, "spam_risk_too_many_pending_share")


def test_direct_post_init_ok(tt: TikTok) -> None:
    resp = tt.api(
        DIRECT, tt.login()["access_token"], {"post_info": _post_info(), "source_info": SMALL}
    )
    assert resp.status_code == 200
    assert resp.json()["data"]["publish_id"].startswith("v_pub_file~v2-1.")


@pytest.mark.parametrize(
    ("creator", "info", "expected"),
    [
        (
            "acme",
            _post_info(privacy_level="FOLLOWER_OF_CREATOR"),
            (403, "privacy_level_option_mismatch"),
        ),
        (
            "acme",
            {k: v for k, v in _post_info().items() if k != "privacy_level"},
            (403, "privacy_level_option_mismatch"),
        ),
        ("quiet", _post_info(), (403, "privacy_level_option_mismatch")),
        (
            "acme",
            {k: v for k, v in _post_info().items() if k != "brand_content_toggle"},
            (400, "invalid_param"),
        ),
        ("acme", _post_info(title="x" * 2201), (400, "invalid_param")),
        ("acme", _post_info(disable_duet="yes"), (400, "invalid_param")),
        ("spammy", _post_info(), (403, "spam_risk_too_many_posts")),
        ("banned", _post_info(), (403, "spam_risk_user_banned_from_posting")),
    ],
)
def test_direct_post_rejections(
    tt: TikTok, creator: str, info: dict[str, Any], expected: tuple[int, str]
) -> None:
    token = tt.login(creator=creator)["access_token"]
    assert _error(tt.api(DIRECT, token, {"post_info": info, "source_info": SMALL})) == expected


def test_title_counts_utf16_units(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    ok = tt.api(DIRECT, token, {"post_info": _post_info(title="😀" * 1100), "source_info": SMALL})
    too_long = tt.api(
        DIRECT, token, {"post_info": _post_info(title="😀" * 1101), "source_info": SMALL}
    )
    assert ok.status_code == 200 and too_long.status_code == 400


def test_unaudited_client_private_accounts_only(tt: TikTok) -> None:
    tt.server.configure(unaudited=True)
    public = tt.api(
        DIRECT, tt.login()["access_token"], {"post_info": _post_info(), "source_info": SMALL}
    )
    assert _error(public) == (403, "unaudited_client_can_only_post_to_private_accounts")
    private_token = tt.login(creator="quiet")["access_token"]
    ok = tt.api(
        DIRECT,
        private_token,
        {"post_info": _post_info(privacy_level="SELF_ONLY"), "source_info": SMALL},
    )
    assert ok.status_code == 200


def test_daily_post_cap(tt: TikTok) -> None:
    tt.server.configure(daily_post_cap=2, rate_limit_init=100)
    token = tt.login()["access_token"]
    body = {"post_info": _post_info(), "source_info": SMALL}
    codes = [tt.api(DIRECT, token, body).status_code for _ in range(3)]
    assert codes == [200, 200, 403]


def test_banned_creator_cannot_upload_to_inbox(tt: TikTok) -> None:
    token = tt.login(creator="banned")["access_token"]
    resp = tt.api(INBOX, token, {"source_info": SMALL})
    assert _error(resp) == (403, "spam_risk_user_banned_from_posting")
