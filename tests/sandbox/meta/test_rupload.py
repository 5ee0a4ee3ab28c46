"""rupload: offset and file_size headers, resuming from the offset Meta reports."""

from __future__ import annotations

import hashlib
import threading

import pytest
import requests

from tests.helpers import wait_until
from tests.sandbox.meta.support import Meta

VIDEO = bytes(range(256)) * 4096  # 1 MiB


def test_drop_mid_upload_then_resume_from_the_reported_offset(meta: Meta) -> None:
    token = meta.long_token()
    made = meta.container(token).json()
    meta.handle.fail_next("/meta/rupload/", "drop_mid")
    with pytest.raises(requests.ConnectionError):
        meta.upload(made["uri"], token, VIDEO)
    offset = meta.offset(made["uri"], token)
    assert offset == len(VIDEO) // 2
    done = meta.upload(made["uri"], token, VIDEO[offset:], offset=offset, size=len(VIDEO))
    assert done.json() == {"success": True}
    wait_until(lambda: meta.status_code(token, made["id"]) == "FINISHED", 10, "FINISHED")
    upload = meta.handle.summary()["containers"][made["id"]]["upload"]
    assert upload["sha256"] == hashlib.sha256(VIDEO).hexdigest()


def test_wrong_offset_size_or_length_is_refused(meta: Meta) -> None:
    token = meta.long_token()
    uri = meta.container(token).json()["uri"]
    assert meta.upload(uri, token, VIDEO[:10], size=len(VIDEO)).status_code == 400  # short
    wrong = meta.upload(uri, token, VIDEO[5:], offset=5, size=len(VIDEO))
    assert wrong.json()["debug_info"]["type"] == "OffsetInvalidError"
    assert meta.offset(uri, token) == 0
    assert meta.upload(uri, token, VIDEO).status_code == 200
    again = meta.upload(uri, token, VIDEO)
    assert again.status_code == 400 and "already complete" in again.json()["debug_info"]["message"]


def test_rupload_needs_the_oauth_header(meta: Meta) -> None:
    token = meta.long_token()
    uri = meta.container(token).json()["uri"]
    headers = {"Authorization": f"Bearer {token}", "offset": "0", "file_size": "4"}
    assert meta.http.post(uri, data=b"abcd", headers=headers).json()["error"]["code"] == 104
    in_url = meta.http.get(uri, params={"access_token": token})
    assert in_url.json()["error"]["code"] == 100


def test_a_held_upload_has_half_its_bytes_and_a_new_process_resumes(meta: Meta) -> None:
    token = meta.long_token()
    made = meta.container(token).json()
    control = f"{meta.server.url}/_sandbox/meta/holds"
    meta.http.post(control, json={"endpoints": ["/meta/rupload/"]})
    outcome: list[object] = []

    def send() -> None:
        try:
            outcome.append(meta.upload(made["uri"], token, VIDEO).status_code)
        except requests.RequestException as exc:
            outcome.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    [held] = wait_until(lambda: meta.http.get(control).json(), 10, "the parked upload")
    meta.http.post(f"{control}/{held['id']}/release", json={"then": "mid_body"})
    wait_until(lambda: meta.http.get(control).json(), 10, "the upload parked mid-body")
    assert meta.offset(made["uri"], token) == len(VIDEO) // 2
    busy = meta.upload(made["uri"], token, VIDEO[len(VIDEO) // 2 :], len(VIDEO) // 2, len(VIDEO))
    assert busy.status_code == 409
    [held] = meta.http.get(control).json()
    meta.http.post(f"{control}/{held['id']}/release")
    sender.join(10)
    assert outcome == [200]
