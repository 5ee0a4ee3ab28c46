"""Facebook Page Reels: start, rupload, finish, the video's phases, 30 per Page per 24 h."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import requests

from tests.helpers import wait_until
from tests.sandbox.meta.support import PAGE_ID, Meta, error

VIDEO = b"\x00\x01reel" * 3000


def _status(meta: Meta, token: str, video_id: str) -> dict[str, Any]:
    resp = meta.call("GET", video_id, token, fields="status")
    assert resp.status_code == 200, resp.text
    return dict(resp.json()["status"])


def _start(meta: Meta, token: str) -> dict[str, str]:
    resp = meta.call("POST", f"{PAGE_ID}/video_reels", token, data={"upload_phase": "start"})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def _finish(meta: Meta, token: str, video_id: str, **extra: str) -> Any:
    data = {
        "upload_phase": "finish",
        "video_id": video_id,
        "video_state": "PUBLISHED",
        "description": "Our new mug",
        **extra,
    }
    return meta.call("POST", f"{PAGE_ID}/video_reels", token, data=data)


def test_reel_phases_from_upload_to_published(meta: Meta) -> None:
    token = meta.page_token(meta.long_token())
    started = _start(meta, token)
    assert started["upload_url"].endswith(f"/meta/rupload/video-upload/v27.0/{started['video_id']}")
    video_id = started["video_id"]
    assert _status(meta, token, video_id)["uploading_phase"]["status"] == "not_started"
    assert error(_finish(meta, token, video_id)) == (6000, None)
    assert meta.upload(started["upload_url"], token, VIDEO).json() == {"success": True}
    status = _status(meta, token, video_id)
    assert status["uploading_phase"] == {"status": "complete", "bytes_transfered": len(VIDEO)}
    assert status["video_status"] == "upload_complete"
    assert _finish(meta, token, video_id).json() == {"success": True}
    seen = {_status(meta, token, video_id)["video_status"]}
    done = wait_until(
        lambda: (
            seen.add(_status(meta, token, video_id)["video_status"])
            or _status(meta, token, video_id)["publishing_phase"]["status"] == "complete"
        ),
        10,
        "the Reel published",
    )
    assert done and "processing" in seen
    final = _status(meta, token, video_id)
    assert (
        final["video_status"] == "ready"
        and final["publishing_phase"]["publish_status"] == "published"
    )
    [reel] = meta.handle.summary()["reels_published"]
    assert reel["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert meta.handle.summary()["videos"][video_id]["params"] == {"description": "Our new mug"}


def test_finish_twice_is_refused(meta: Meta) -> None:
    token = meta.page_token(meta.long_token())
    started = _start(meta, token)
    meta.upload(started["upload_url"], token, VIDEO)
    assert _finish(meta, token, started["video_id"]).status_code == 200
    assert error(_finish(meta, token, started["video_id"])) == (100, None)
    assert len(meta.handle.summary()["reels_published"]) == 1


def test_thirty_reels_per_page_per_day(meta: Meta) -> None:
    token = meta.page_token(meta.long_token())
    meta.handle.configure(page_reels_limit=2)
    for _ in range(2):
        started = _start(meta, token)
        meta.upload(started["upload_url"], token, VIDEO)
        assert _finish(meta, token, started["video_id"]).status_code == 200
    started = _start(meta, token)
    meta.upload(started["upload_url"], token, VIDEO)
    assert error(_finish(meta, token, started["video_id"])) == (9, None)
    draft = _finish(meta, token, started["video_id"], video_state="DRAFT")
    assert draft.status_code == 200  # drafts are not API-published Reels
    assert meta.handle.state.config.page_reels_limit == 2


def test_page_reels_need_the_page_token(meta: Meta) -> None:
    user = meta.long_token()
    resp = meta.call("POST", f"{PAGE_ID}/video_reels", user, data={"upload_phase": "start"})
    assert error(resp) == (200, None)
    token = meta.page_token(user)
    started = _start(meta, token)
    headers = {"Authorization": f"OAuth {user}", "offset": "0", "file_size": str(len(VIDEO))}
    assert meta.http.post(started["upload_url"], data=VIDEO, headers=headers).status_code == 401
    other = meta.page_token(user, "104000000000002")
    assert error(
        meta.call("POST", f"{PAGE_ID}/video_reels", other, data={"upload_phase": "start"})
    ) == (100, 33)


def test_processing_error_and_bad_video_state(meta: Meta) -> None:
    token = meta.page_token(meta.long_token())
    started = _start(meta, token)
    meta.upload(started["upload_url"], token, VIDEO)
    assert error(_finish(meta, token, started["video_id"], video_state="LIVE")) == (100, None)
    meta.http.post(
        f"{meta.server.url}/_sandbox/meta/videos/{started['video_id']}/fail",
        json={"message": "Aspect ratio is not 9:16."},
    )
    status = _status(meta, token, started["video_id"])
    assert status["video_status"] == "error"
    assert status["processing_phase"]["errors"][0]["message"] == "Aspect ratio is not 9:16."


def test_resume_a_page_reel_upload(meta: Meta) -> None:
    token = meta.page_token(meta.long_token())
    started = _start(meta, token)
    meta.handle.fail_next("/meta/rupload/video-upload/", "drop_mid")
    with pytest.raises(requests.ConnectionError):
        meta.upload(started["upload_url"], token, VIDEO)
    reported = _status(meta, token, started["video_id"])["uploading_phase"]["bytes_transfered"]
    half = len(VIDEO) // 2
    assert reported == meta.offset(started["upload_url"], token) == half
    rest = meta.upload(started["upload_url"], token, VIDEO[half:], offset=half, size=len(VIDEO))
    assert rest.json() == {"success": True}
