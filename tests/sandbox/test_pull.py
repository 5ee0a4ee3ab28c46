"""PULL_FROM_URL: ownership, background download, redirects refused."""

from __future__ import annotations

import hashlib
import os

from tests.sandbox.support import Receiver, TikTok, wait_for

INBOX = "/v2/post/publish/inbox/video/init/"


def _pull(tt: TikTok, token: str, url: str) -> dict:
    body = {"source_info": {"source": "PULL_FROM_URL", "video_url": url}}
    return tt.api(INBOX, token, body).json()


def test_pull_downloads_and_reaches_inbox(tt: TikTok, receiver: Receiver) -> None:
    video = os.urandom(3 * 1024 * 1024 + 7)
    receiver.files["/media/v1.mp4"] = (200, video, {"Content-Type": "video/mp4"})
    tt.server.configure(allow_http_pull=True, verified_url_prefixes=[f"{receiver.url}/media/"])
    token = tt.login()["access_token"]
    data = _pull(tt, token, f"{receiver.url}/media/v1.mp4")["data"]
    assert data["publish_id"].startswith("v_inbox_url~v2.") and "upload_url" not in data
    status = wait_for(
        lambda: (
            (d := tt.status(token, data["publish_id"]).json()["data"])["status"]
            == "SEND_TO_USER_INBOX"
            and d
        )
    )
    assert status["downloaded_bytes"] == len(video)
    publish = tt.server.state.summary()["publishes"][data["publish_id"]]
    assert publish["sha256"] == hashlib.sha256(video).hexdigest()


def test_pull_redirect_fails(tt: TikTok, receiver: Receiver) -> None:
    receiver.files["/media/moved.mp4"] = (302, b"", {"Location": "/media/v1.mp4"})
    tt.server.configure(allow_http_pull=True, verified_url_prefixes=[f"{receiver.url}/media/"])
    token = tt.login()["access_token"]
    publish_id = _pull(tt, token, f"{receiver.url}/media/moved.mp4")["data"]["publish_id"]
    status = wait_for(
        lambda: (d := tt.status(token, publish_id).json()["data"])["status"] == "FAILED" and d
    )
    assert status["fail_reason"] == "video_pull_failed"


def test_pull_requires_verified_https_url(tt: TikTok, receiver: Receiver) -> None:
    tt.server.configure(
        verified_url_prefixes=["media.example.com", "https://example.org/videos/user/"]
    )
    token = tt.login()["access_token"]
    plain = _pull(tt, token, f"{receiver.url}/media/v1.mp4")
    assert plain["error"]["code"] == "invalid_param"
    for url in ("https://example.com/v.mp4", "https://example.org/videos/2023/user/a.mp4"):
        assert _pull(tt, token, url)["error"]["code"] == "url_ownership_unverified"


def test_verified_domain_covers_subdomains() -> None:
    import pytest

    from studio.sandbox.config import SandboxConfig
    from studio.sandbox.errors import ApiError
    from studio.sandbox.pull import check_url

    cfg = SandboxConfig(verified_url_prefixes=["static.example.com"])
    check_url(cfg, "https://video.static.example.com/a.mp4")
    with pytest.raises(ApiError):
        check_url(cfg, "https://example.com/a.mp4")
