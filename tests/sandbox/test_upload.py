"""Chunk PUTs: happy path with sha256, ordering, headers, expiry and duplicates."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest

from tests.sandbox.support import MIB, TikTok, wait_for


def _start(tt: TikTok, size: int, chunk: int, count: int) -> tuple[str, str, str]:
    token = tt.login()["access_token"]
    data = tt.inbox_init(token, size, chunk, count).json()["data"]
    return token, data["publish_id"], data["upload_url"]


def test_two_chunk_upload_reaches_inbox_with_sha256(tt: TikTok) -> None:
    video = os.urandom(11 * MIB)
    token, publish_id, url = _start(tt, len(video), 5 * MIB, 2)
    first = tt.put(url, video[: 5 * MIB], 0, len(video))
    assert first.status_code == 206
    assert first.headers["Content-Range"] == f"bytes 0-{5 * MIB - 1}/{len(video)}"
    status = tt.status(token, publish_id).json()["data"]
    assert status["status"] == "PROCESSING_UPLOAD" and status["uploaded_bytes"] == 5 * MIB
    last = tt.put(url, video[5 * MIB :], 5 * MIB, len(video), "video/quicktime")
    assert last.status_code == 201
    wait_for(lambda: tt.status(token, publish_id).json()["data"]["status"] == "SEND_TO_USER_INBOX")
    summary = tt.http.get(f"{tt.url}/_sandbox/state").json()
    done = {u["publish_id"]: u for u in summary["completed_uploads"]}[publish_id]
    assert done["sha256"] == hashlib.sha256(video).hexdigest() and done["bytes"] == len(video)
    assert summary["counters"]["chunks"] == 2


def test_whole_small_file_and_auto_publish(tt: TikTok) -> None:
    tt.server.configure(inbox_auto_publish_after=0.05)
    token, publish_id, url = _start(tt, 1000, 1000, 1)
    assert tt.put(url, b"x" * 1000, 0, 1000, "video/webm").status_code == 201
    data = wait_for(
        lambda: (
            (d := tt.status(token, publish_id).json()["data"])["status"] == "PUBLISH_COMPLETE"
            and d["publicaly_available_post_id"]
            and d
        )
    )
    assert isinstance(data["publicaly_available_post_id"][0], int)


def test_out_of_order_chunk_is_416(tt: TikTok) -> None:
    _, _, url = _start(tt, 11 * MIB, 5 * MIB, 2)
    resp = tt.put(url, b"\0" * (6 * MIB), 5 * MIB, 11 * MIB)
    assert resp.status_code == 416


def test_wrong_boundary_is_416(tt: TikTok) -> None:
    _, _, url = _start(tt, 11 * MIB, 5 * MIB, 2)
    assert tt.put(url, b"\0" * (6 * MIB), 0, 11 * MIB).status_code == 416


@pytest.mark.parametrize(
    ("content_type", "headers"),
    [
        ("application/octet-stream", {}),
        ("video/mp4", {"Content-Range": "bytes=0-999/1000"}),
        ("video/mp4", {"Content-Range": "bytes 0-998/1000"}),
    ],
)
def test_bad_headers_are_400(tt: TikTok, content_type: str, headers: dict[str, Any]) -> None:
    _, _, url = _start(tt, 1000, 1000, 1)
    resp = tt.put(url, b"x" * 1000, 0, 1000, content_type, **headers)
    assert resp.status_code in (400, 416)
    assert resp.status_code == 400 or headers["Content-Range"].endswith("/1000")


def test_content_length_mismatch_is_400(tt: TikTok) -> None:
    _, _, url = _start(tt, 1000, 1000, 1)
    headers = {"Content-Type": "video/mp4", "Content-Range": "bytes 0-999/1000"}
    resp = tt.http.put(url, data=b"x" * 999, headers=headers)
    assert resp.status_code == 400


def test_expired_upload_url_is_403(tt: TikTok) -> None:
    tt.server.configure(upload_url_ttl=-1)
    _, _, url = _start(tt, 1000, 1000, 1)
    assert tt.put(url, b"x" * 1000, 0, 1000).status_code == 403


def test_unknown_upload_is_404(tt: TikTok) -> None:
    _, _, url = _start(tt, 1000, 1000, 1)
    assert tt.put(url + "x", b"x" * 1000, 0, 1000).status_code == 404
    assert tt.put(f"{tt.url}/upload/?upload_id=1&upload_token=2", b"x", 0, 1).status_code == 404


def test_duplicate_chunk_is_idempotent(tt: TikTok) -> None:
    video = os.urandom(11 * MIB)
    token, publish_id, url = _start(tt, len(video), 5 * MIB, 2)
    assert tt.put(url, video[: 5 * MIB], 0, len(video)).status_code == 206
    again = tt.put(url, video[: 5 * MIB], 0, len(video))
    assert again.status_code == 206
    assert again.headers["Content-Range"] == f"bytes 0-{5 * MIB - 1}/{len(video)}"
    other = tt.put(url, b"\1" * (5 * MIB), 0, len(video))
    assert other.status_code == 400
    assert tt.put(url, video[5 * MIB :], 5 * MIB, len(video)).status_code == 201
    assert tt.put(url, video[5 * MIB :], 5 * MIB, len(video)).status_code == 201
    state = tt.server.state.summary()
    assert state["publishes"][publish_id]["sha256"] == hashlib.sha256(video).hexdigest()
    assert state["counters"]["bytes_received"] == len(video)
    assert tt.status(token, publish_id).json()["data"]["uploaded_bytes"] == len(video)


def test_status_of_unknown_and_foreign_publish(tt: TikTok) -> None:
    _, publish_id, _ = _start(tt, 1000, 1000, 1)
    other = tt.login(creator="quiet")["access_token"]
    foreign = tt.status(other, publish_id).json()["error"]["code"]
    assert foreign == "token_not_authorized_for_specified_publish_id"
    unknown = tt.status(other, "v_inbox_file~v2.1")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "invalid_publish_id"


def test_failing_creator_and_cancel(tt: TikTok) -> None:
    token = tt.login(creator="broken")["access_token"]
    data = tt.inbox_init(token, 1000, 1000, 1).json()["data"]
    assert tt.put(data["upload_url"], b"x" * 1000, 0, 1000).status_code == 201
    failed = wait_for(
        lambda: (
            (d := tt.status(token, data["publish_id"]).json()["data"])["status"] == "FAILED" and d
        )
    )
    assert failed["fail_reason"] == "picture_size_check_failed"
    second = tt.inbox_init(token, 1000, 1000, 1).json()["data"]
    cancel = tt.api("/v2/post/publish/cancel/", token, {"publish_id": second["publish_id"]})
    assert cancel.status_code == 200 and "data" not in cancel.json()
    status = tt.status(token, second["publish_id"]).json()["data"]
    assert status["fail_reason"] == "publish_cancelled"
    assert tt.put(second["upload_url"], b"x" * 1000, 0, 1000).status_code == 404


def test_truncated_body_is_400_and_not_counted(tt: TikTok) -> None:
    import socket
    from urllib.parse import urlsplit

    token, publish_id, url = _start(tt, 1000, 1000, 1)
    parts = urlsplit(url)
    head = (
        f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Content-Type: video/mp4\r\nContent-Range: bytes 0-999/1000\r\n"
        "Content-Length: 1000\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(head + b"x" * 500)
        sock.shutdown(socket.SHUT_WR)
        with sock.makefile("rb") as reader:
            answer = reader.readline()
    assert b" 400 " in answer
    assert tt.status(token, publish_id).json()["data"]["uploaded_bytes"] == 0
    assert tt.put(url, b"x" * 1000, 0, 1000).status_code == 201
