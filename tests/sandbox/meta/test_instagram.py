"""Instagram Reels: containers and their lifecycle, publishing once, the publishing limit."""

from __future__ import annotations

import hashlib

from tests.helpers import wait_until
from tests.sandbox.meta.support import IG_ID, Meta, error
from tests.sandbox.support import Receiver

VIDEO = bytes(range(256)) * 64  # 16 KiB


def _ready(meta: Meta, token: str, **params: str) -> str:
    """A container with its bytes uploaded, FINISHED."""
    made = meta.container(token, **params).json()
    assert meta.upload(made["uri"], token, VIDEO).json() == {"success": True}
    wait_until(lambda: meta.status_code(token, made["id"]) == "FINISHED", 10, "FINISHED")
    return str(made["id"])


def test_reel_goes_in_progress_finished_published(meta: Meta) -> None:
    token = meta.long_token()
    made = meta.container(
        token, caption="New mug #acme", share_to_feed="true", is_ai_generated="false"
    ).json()
    assert made["uri"].endswith(f"/meta/rupload/ig-api-upload/v27.0/{made['id']}")
    assert meta.status_code(token, made["id"]) == "IN_PROGRESS"
    assert error(meta.publish(token, made["id"])) == (9007, 2207027)
    meta.upload(made["uri"], token, VIDEO)
    wait_until(lambda: meta.status_code(token, made["id"]) == "FINISHED", 10, "FINISHED")
    media_id = meta.publish(token, made["id"]).json()["id"]
    assert media_id != made["id"]
    assert meta.status_code(token, made["id"]) == "PUBLISHED"
    media = meta.call("GET", media_id, token, fields="id,media_product_type,is_ai_generated").json()
    assert media == {"id": media_id, "media_product_type": "REELS", "is_ai_generated": False}
    [post] = meta.handle.summary()["ig_published"]
    assert post["sha256"] == hashlib.sha256(VIDEO).hexdigest() and post["bytes"] == len(VIDEO)
    assert post["params"]["share_to_feed"] is True and post["params"]["caption"] == "New mug #acme"


def test_a_container_is_published_once(meta: Meta) -> None:
    token = meta.long_token()
    container_id = _ready(meta, token)
    assert meta.publish(token, container_id).status_code == 200
    again = meta.publish(token, container_id)
    assert error(again) == (24, 2207008)
    assert len(meta.handle.summary()["ig_published"]) == 1


def test_plain_video_and_bad_parameters_are_refused(meta: Meta) -> None:
    token = meta.long_token()
    assert error(meta.container(token, media_type="VIDEO")) == (100, 2207023)
    assert error(meta.container(token, media_type="IMAGE")) == (100, 2207023)
    assert error(meta.container(token, share_to_feed="yes")) == (100, None)
    assert error(meta.container(token, caption="x" * 2201)) == (100, None)
    assert error(meta.container(token, video_url="https://cdn.example/v.mp4")) == (100, None)
    assert error(meta.container(token, thumbnail="1")) == (100, None)
    assert meta.handle.summary()["containers"] == {}


def test_expired_container(meta: Meta) -> None:
    token = meta.long_token()
    container_id = _ready(meta, token)
    meta.http.post(f"{meta.server.url}/_sandbox/meta/containers/{container_id}/expire")
    assert meta.status_code(token, container_id) == "EXPIRED"
    assert error(meta.publish(token, container_id)) == (-2, 2207020)


def test_container_ttl_is_configurable(meta: Meta) -> None:
    token = meta.long_token()
    meta.handle.configure(container_ttl=0.2)
    made = meta.container(token).json()
    wait_until(lambda: meta.status_code(token, made["id"]) == "EXPIRED", 10, "EXPIRED")
    resp = meta.upload(made["uri"], token, VIDEO)
    assert resp.status_code == 400 and resp.json()["debug_info"]["type"] == "ExpiredError"


def test_error_container_names_its_subcode(meta: Meta) -> None:
    token = meta.long_token()
    meta.handle.configure(container_error=2207026)
    made = meta.container(token).json()
    meta.upload(made["uri"], token, VIDEO)
    wait_until(lambda: meta.status_code(token, made["id"]) == "ERROR", 10, "ERROR")
    status = meta.call("GET", made["id"], token, fields="status_code,status").json()
    assert status["status"] == "Media upload has failed with error code 2207026."
    assert error(meta.publish(token, made["id"])) == (-1, 2207053)


def test_publishing_limit_is_read_and_enforced(meta: Meta) -> None:
    token = meta.long_token()
    meta.handle.configure(publish_quota=1)
    limit = meta.call(
        "GET", f"{IG_ID}/content_publishing_limit", token, fields="quota_usage,config"
    ).json()
    assert limit == {
        "data": [{"quota_usage": 0, "config": {"quota_total": 1, "quota_duration": 86400}}]
    }
    meta.publish(token, _ready(meta, token))
    usage = meta.call("GET", f"{IG_ID}/content_publishing_limit", token).json()
    assert usage == {"data": [{"quota_usage": 1}]}
    assert error(meta.publish(token, _ready(meta, token))) == (9, 2207042)


def _pulled(meta: Meta, token: str, url: str, status: str) -> str:
    """A container made from video_url, once it reads `status`."""
    made = meta.call(
        "POST", f"{IG_ID}/media", token, data={"media_type": "REELS", "video_url": url}
    )
    assert "uri" not in made.json()
    container_id = str(made.json()["id"])
    wait_until(lambda: meta.status_code(token, container_id) == status, 10, status)
    return container_id


def test_video_url_is_pulled_and_hashed(meta: Meta, receiver: Receiver) -> None:
    receiver.files["/reel.mp4"] = (200, VIDEO, {"Content-Type": "video/mp4"})
    meta.handle.configure(allow_http_pull=True)
    token = meta.long_token()
    both = meta.container(token, video_url=f"{receiver.url}/reel.mp4")
    assert error(both) == (100, None)  # resumable and video_url at once
    container_id = _pulled(meta, token, f"{receiver.url}/reel.mp4", "FINISHED")
    summary = meta.handle.summary()["containers"][container_id]["upload"]
    assert summary["sha256"] == hashlib.sha256(VIDEO).hexdigest()


def test_failed_download_is_error_on_the_container(meta: Meta, receiver: Receiver) -> None:
    meta.handle.configure(allow_http_pull=True)
    token = meta.long_token()
    container_id = _pulled(meta, token, f"{receiver.url}/gone.mp4", "ERROR")
    status = meta.call("GET", container_id, token, fields="status").json()["status"]
    assert status == "Media upload has failed with error code 2207052."


def test_plain_http_video_url_is_refused_by_default(meta: Meta) -> None:
    token = meta.long_token()
    resp = meta.call(
        "POST",
        f"{IG_ID}/media",
        token,
        data={"media_type": "REELS", "video_url": "http://cdn.example/v.mp4"},
    )
    assert error(resp) == (100, 2207052)
