"""videos.insert session start: every metadata and header rule, refused before any byte."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.youtube.support import Google, metadata, reason


def _with(path: str, value: Any) -> dict[str, Any]:
    """A valid resource with one field replaced (value None: removed)."""
    body = metadata()
    *parents, leaf = path.split(".")
    node = body
    for name in parents:
        node = node[name]
    if value is None:
        node.pop(leaf)
    else:
        node[leaf] = value
    return body


BROKEN = [
    ("snippet.title", "x" * 101, "invalidTitle"),
    ("snippet.title", "   ", "invalidTitle"),
    ("snippet.title", "Buy <now>", "invalidTitle"),
    ("snippet.title", "\U0001f600" * 51, "invalidTitle"),  # 102 UTF-16 units
    ("snippet.title", None, "invalidTitle"),
    ("snippet.description", "é" * 2501, "invalidDescription"),  # 5002 bytes, 2501 chars
    ("snippet.description", "a > b", "invalidDescription"),
    ("snippet.tags", ["t" * 250, "u" * 250], "invalidTags"),  # 501 with the comma
    ("snippet.tags", ["two words"] * 50, "invalidTags"),  # 9+2 each, plus commas
    ("snippet.tags", ["<b>"], "invalidTags"),
    ("snippet.categoryId", "99", "invalidCategoryId"),
    ("snippet.categoryId", 22, "invalidCategoryId"),
    ("status.privacyStatus", None, "invalidVideoMetadata"),
    ("status.privacyStatus", "friends", "invalidVideoMetadata"),
    ("status.selfDeclaredMadeForKids", None, "invalidVideoMetadata"),
    ("status.containsSyntheticMedia", "no", "invalidVideoMetadata"),
    ("status.publishAt", "2099-01-01T00:00:00Z", "invalidPublishAt"),  # on an unlisted video
    ("paidProductPlacementDetails.hasPaidProductPlacement", None, "invalidVideoMetadata"),
    ("snippet.madeUp", "x", "invalidVideoMetadata"),
]


@pytest.mark.parametrize(("path", "value", "expected"), BROKEN)
def test_broken_metadata_is_refused_and_names_the_field(
    yt: Google, path: str, value: Any, expected: str
) -> None:
    token = yt.login()["access_token"]
    resp = yt.start(token, 1000, _with(path, value))
    assert resp.status_code == 400 and reason(resp) == expected
    error = resp.json()["error"]
    assert error["code"] == 400 and error["errors"][0]["domain"] == "youtube.video"
    assert error["errors"][0]["location"].startswith("body.")
    summary = yt.state.summary()
    assert summary["sessions"] == [] and summary["quota"]["upload_calls_used"] == 1


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("snippet.title", "\U0001f600" * 50),
        ("snippet.description", "é" * 2500),
        ("snippet.tags", ["t" * 249, "u" * 250]),
        ("snippet.tags", ["two words"] * 41),  # 41 * (9 + 2 quotes) + 40 commas = 491
    ],
)
def test_limits_themselves_are_accepted(yt: Google, path: str, value: Any) -> None:
    token = yt.login()["access_token"]
    assert yt.start(token, 1000, _with(path, value)).status_code == 200


def test_scheduled_private_video_is_accepted(yt: Google) -> None:
    body = _with("status.privacyStatus", "private")
    body["status"]["publishAt"] = "2099-01-01T00:00:00Z"
    assert yt.start(yt.login()["access_token"], 1000, body).status_code == 200


@pytest.mark.parametrize(
    ("params", "headers", "expected", "status"),
    [
        ({"part": "snippet,status"}, {}, "invalidVideoMetadata", 400),  # body sends paid part
        ({"part": "snippet,status,nonsense"}, {}, "unknownPart", 400),
        ({"part": ""}, {}, "required", 400),
        ({"notifySubscribers": "maybe"}, {}, "invalidParameter", 400),
        ({"uploadType": "multipart"}, {}, "invalidParameter", 400),
        ({}, {"X-Upload-Content-Length": ""}, "badContent", 400),
        ({}, {"X-Upload-Content-Length": str(257 * 1024**3)}, "badContent", 400),
        ({}, {"X-Upload-Content-Type": "image/png"}, "badContent", 400),
    ],
)
def test_bad_parameters_and_headers(
    yt: Google, params: dict[str, str], headers: dict[str, str], expected: str, status: int
) -> None:
    resp = yt.start(yt.login()["access_token"], 1000, params=params, headers=headers)
    assert resp.status_code == status and reason(resp) == expected
    assert yt.state.summary()["sessions"] == []


def test_notify_subscribers_must_be_explicit(yt: Google) -> None:
    token = yt.login()["access_token"]
    resp = yt.http.post(
        f"{yt.url}/google/upload/youtube/v3/videos",
        params={"uploadType": "resumable", "part": "snippet,status,paidProductPlacementDetails"},
        json=metadata(),
        headers={
            "Authorization": f"Bearer {token}",
            "X-Upload-Content-Length": "10",
            "X-Upload-Content-Type": "video/mp4",
        },
    )
    assert resp.status_code == 400 and reason(resp) == "invalidParameter"


def test_session_start_answers_location_with_an_unguessable_upload_id(yt: Google) -> None:
    token = yt.login()["access_token"]
    resp = yt.start(token, 1000)
    assert resp.status_code == 200 and resp.content == b""
    location = resp.headers["Location"]
    upload_id = location.split("upload_id=")[1]
    assert location.startswith(f"{yt.url}/google/upload/youtube/v3/videos?uploadType=resumable")
    assert len(upload_id) >= 40 and upload_id not in str(yt.state.summary())


def test_account_without_channel_cannot_upload(yt: Google) -> None:
    resp = yt.start(yt.login(channel="nochannel")["access_token"], 1000)
    assert resp.status_code == 401 and reason(resp) == "youtubeSignupRequired"
