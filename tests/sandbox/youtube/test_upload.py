"""Resumable upload: 308 + Range, 256 KiB chunk rules, status queries, resume, expiry."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests

from tests.sandbox.support import wait_for
from tests.sandbox.youtube.support import UNIT, Google, reason, stored

DATA = os.urandom(5 * UNIT + 1234)
TOTAL = len(DATA)


def test_chunked_upload_308_range_then_video(yt: Google) -> None:
    token = yt.login()["access_token"]
    uri = yt.session(token, TOTAL)
    first = yt.ask(uri, TOTAL)
    assert first.status_code == 308 and "Range" not in first.headers  # nothing stored yet
    resp = yt.put(uri, DATA[: 2 * UNIT], 0, TOTAL)
    assert resp.status_code == 308 and resp.headers["Range"] == f"bytes=0-{2 * UNIT - 1}"
    assert "Location" not in resp.headers
    resp = yt.put(uri, DATA[2 * UNIT : 4 * UNIT], 2 * UNIT, TOTAL)
    assert stored(resp) == 4 * UNIT
    final = yt.put(uri, DATA[4 * UNIT :], 4 * UNIT, TOTAL)
    assert final.status_code == 201
    video = final.json()
    assert video["kind"] == "youtube#video" and video["status"]["uploadStatus"] == "uploaded"
    assert video["status"]["privacyStatus"] == "unlisted"
    assert video["snippet"]["title"] == "Product video"
    assert video["paidProductPlacementDetails"] == {"hasPaidProductPlacement": False}
    kept = yt.state.summary()["videos"][video["id"]]
    assert kept["sha256"] == hashlib.sha256(DATA).hexdigest() and kept["bytes"] == TOTAL
    assert kept["notify_subscribers"] is False


def test_finished_session_answers_the_same_video(yt: Google) -> None:
    token = yt.login()["access_token"]
    uri = yt.session(token, TOTAL)
    video = yt.put(uri, DATA, 0, TOTAL).json()
    assert yt.ask(uri, TOTAL).json()["id"] == video["id"]
    assert yt.put(uri, DATA, 0, TOTAL).json()["id"] == video["id"]
    assert len(yt.state.summary()["videos"]) == 1


@pytest.mark.parametrize(
    ("size", "message"),
    [(8192, "equal or greater than 262144"), (UNIT + 1000, "multiple of 262144")],
)
def test_non_final_chunk_must_be_a_multiple_of_256_kib(yt: Google, size: int, message: str) -> None:
    uri = yt.session(yt.login()["access_token"], TOTAL)
    resp = yt.put(uri, DATA[:size], 0, TOTAL)
    assert resp.status_code == 400 and message in resp.json()["error"]["message"]
    assert stored(yt.ask(uri, TOTAL)) == 0


def test_offsets_past_or_before_the_stored_bytes(yt: Google) -> None:
    uri = yt.session(yt.login()["access_token"], TOTAL)
    yt.put(uri, DATA[: 2 * UNIT], 0, TOTAL)
    ahead = yt.put(uri, DATA[3 * UNIT : 4 * UNIT], 3 * UNIT, TOTAL)
    assert ahead.status_code == 503 and ahead.headers["Content-Type"].startswith("text/plain")
    assert "exceeds already uploaded size of 524288 byte(s)" in ahead.text
    behind = yt.put(uri, DATA[UNIT : 3 * UNIT], UNIT, TOTAL)
    assert behind.status_code == 400 and "bytes */TOTAL" in behind.json()["error"]["message"]
    assert stored(yt.ask(uri, TOTAL)) == 2 * UNIT


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Range": "bytes 0-99/12"},
        {"Content-Range": "0-262143"},
        {"Content-Type": "application/x-www-form-urlencoded"},
    ],
)
def test_bad_chunk_headers(yt: Google, headers: dict[str, str]) -> None:
    uri = yt.session(yt.login()["access_token"], TOTAL)
    resp = yt.put(uri, DATA[:UNIT], 0, TOTAL, **headers)
    assert resp.status_code == 400 and reason(resp) == "badContent"


def test_resume_after_a_chunk_cut_mid_body_keeps_whole_units(yt: Google) -> None:
    uri = yt.session(yt.login()["access_token"], TOTAL)
    yt.control("faults", {"fail_next": [{"endpoint": "/google/upload/", "kind": "drop_mid"}]})
    with pytest.raises(requests.ConnectionError):
        yt.put(uri, DATA[: 4 * UNIT], 0, TOTAL)
    kept = stored(yt.ask(uri, TOTAL))
    assert kept == 2 * UNIT  # half of the chunk arrived, in whole 256 KiB units
    resp = yt.put(uri, DATA[kept:], kept, TOTAL)
    assert resp.status_code == 201
    digest = yt.state.summary()["videos"][resp.json()["id"]]["sha256"]
    assert digest == hashlib.sha256(DATA).hexdigest()


@pytest.mark.parametrize("status", [404, 410])
def test_expired_session_answers_404_or_410(yt: Google, status: int) -> None:
    yt.state.configure(session_expired_status=status)
    uri = yt.session(yt.login()["access_token"], TOTAL)
    yt.put(uri, DATA[:UNIT], 0, TOTAL)
    yt.control("advance", {"seconds": 7 * 86400 + 1})
    assert yt.ask(uri, TOTAL).status_code == status
    assert yt.put(uri, DATA[UNIT : 2 * UNIT], UNIT, TOTAL).status_code == status


def test_control_expires_open_sessions(yt: Google) -> None:
    uri = yt.session(yt.login()["access_token"], TOTAL)
    assert yt.control("sessions/expire")["expired"] == 1
    assert yt.ask(uri, TOTAL).status_code == 404


def test_unknown_upload_id_is_404(yt: Google) -> None:
    uri = yt.session(yt.login()["access_token"], TOTAL)
    forged = uri.rsplit("upload_id=", 1)[0] + "upload_id=guess"
    assert yt.ask(forged, TOTAL).status_code == 404


def test_same_bytes_twice_on_a_channel_is_rejected_as_duplicate(yt: Google) -> None:
    token = yt.login()["access_token"]
    first = yt.upload(token, DATA).json()["id"]
    second = yt.upload(token, DATA).json()["id"]
    videos = wait_for(
        lambda: (v := yt.state.summary()["videos"])[second]["upload_status"] != "uploaded" and v
    )
    assert videos[second]["rejection_reason"] == "duplicate"
    assert wait_for(lambda: yt.state.summary()["videos"][first]["upload_status"] == "processed")
