"""Processing after upload: progress over time to processed, failed or rejected; videos.list."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.sandbox.support import wait_for
from tests.sandbox.youtube.support import UNIT, Google

PARTS = "status,processingDetails"


def _video(yt: Google, token: str, video_id: str) -> dict[str, Any]:
    resp = yt.get("/youtube/v3/videos", token, part=PARTS, id=video_id)
    assert resp.status_code == 200
    return dict(resp.json()["items"][0])


@pytest.mark.parametrize(
    ("outcome", "reason", "status_key", "processing", "failure"),
    [
        ("processed", None, None, "succeeded", None),
        ("failed", "codec", "failureReason", "failed", "transcodeFailed"),
        ("failed", "uploadAborted", "failureReason", "failed", "uploadFailed"),
        ("rejected", "copyright", "rejectionReason", "terminated", None),
    ],
)
def test_processing_progresses_to_each_end_state(
    yt: Google,
    outcome: str,
    reason: str | None,
    status_key: str | None,
    processing: str,
    failure: str | None,
) -> None:
    reasons = {"failure_reason": reason} if outcome == "failed" else {"rejection_reason": reason}
    yt.state.configure(processing_outcome=outcome, processing_step_delay=0.2, **reasons)
    token = yt.login()["access_token"]
    video_id = yt.upload(token, os.urandom(UNIT + 7)).json()["id"]
    early = _video(yt, token, video_id)
    assert early["status"]["uploadStatus"] == "uploaded"
    assert early["processingDetails"]["processingStatus"] == "processing"
    assert early["processingDetails"]["processingProgress"]["partsTotal"] == "3"
    done = wait_for(
        lambda: (v := _video(yt, token, video_id))["status"]["uploadStatus"] != "uploaded" and v
    )
    assert done["status"]["uploadStatus"] == outcome
    assert done["processingDetails"]["processingStatus"] == processing
    if status_key:
        assert done["status"][status_key] == reason
    assert done["processingDetails"].get("processingFailureReason") == failure
    assert "processingProgress" not in done["processingDetails"]


def test_control_finishes_processing_now(yt: Google) -> None:
    yt.state.configure(processing_step_delay=60)
    token = yt.login()["access_token"]
    video_id = yt.upload(token, os.urandom(100)).json()["id"]
    assert yt.control(f"videos/{video_id}/finish", {"outcome": "rejected", "reason": "length"})
    assert _video(yt, token, video_id)["status"]["rejectionReason"] == "length"
    bad = yt.http.post(
        f"{yt.url}/_sandbox/youtube/videos/{video_id}/finish", json={"outcome": "lost"}
    )
    assert bad.status_code == 400


def test_outcome_hook_decides_per_video(yt: Google) -> None:
    yt.state.configure(outcome_hook=lambda video: ("failed", "tooSmall"))
    token = yt.login()["access_token"]
    video_id = yt.upload(token, os.urandom(100)).json()["id"]
    assert wait_for(lambda: yt.state.summary()["videos"][video_id]["failure_reason"] == "tooSmall")


def test_videos_list_hides_other_channels_private_videos(yt: Google) -> None:
    token = yt.login()["access_token"]
    video_id = yt.upload(token, os.urandom(100)).json()["id"]
    other = yt.login(channel="second")["access_token"]
    resp = yt.get("/youtube/v3/videos", other, part=PARTS, id=f"{video_id},nope")
    assert resp.status_code == 200 and "items" not in resp.json()
    mine = yt.get("/youtube/v3/videos", token, part=PARTS, id=f"{video_id},nope").json()
    assert [v["id"] for v in mine["items"]] == [video_id]
