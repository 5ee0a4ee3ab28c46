"""Fault injection on Graph and rupload calls: 5xx on the Nth call, Graph codes, drops."""

from __future__ import annotations

import json

import pytest
import requests

from tests.helpers import wait_until
from tests.sandbox.meta.support import IG_ID, Meta, error


def _rule(meta: Meta, endpoint: str, kind: str, **extra: object) -> None:
    resp = meta.http.post(
        f"{meta.server.url}/_sandbox/meta/faults",
        json={"fail_next": [{"endpoint": endpoint, "kind": kind, **extra}]},
    )
    assert resp.status_code == 200, resp.text


def test_500_on_the_third_call_then_recovery(meta: Meta) -> None:
    token = meta.long_token()
    _rule(meta, "/meta/graph/v27.0/me", "500", skip=2)
    codes = [meta.call("GET", "me", token).status_code for _ in range(4)]
    assert codes == [200, 200, 500, 200]


def test_503_is_transient_code_2(meta: Meta) -> None:
    token = meta.long_token()
    _rule(meta, "/meta/graph/", "503")
    resp = meta.call("GET", "me", token)
    assert resp.status_code == 503 and resp.json()["error"]["is_transient"] is True
    assert error(resp) == (2, None)


def test_transient_100_33_on_a_status_read(meta: Meta) -> None:
    token = meta.long_token()
    container_id = meta.container(token).json()["id"]
    _rule(meta, f"/meta/graph/v27.0/{container_id}", "100/33")
    assert error(meta.call("GET", container_id, token, fields="status_code")) == (100, 33)
    assert meta.status_code(token, container_id) == "IN_PROGRESS"


@pytest.mark.parametrize("kind", ["4", "17", "32", "613", "80001", "80002"])
def test_rate_limit_codes(meta: Meta, kind: str) -> None:
    token = meta.long_token()
    _rule(meta, "/meta/graph/", kind)
    resp = meta.call("GET", f"{IG_ID}/content_publishing_limit", token)
    assert error(resp) == (int(kind), None)
    assert json.loads(resp.headers["X-App-Usage"])["call_count"] == 100


def test_drop_after_publish_the_post_is_live_and_never_sent_twice(meta: Meta) -> None:
    token = meta.long_token()
    made = meta.container(token).json()
    meta.upload(made["uri"], token, b"v" * 5000)
    wait_until(lambda: meta.status_code(token, made["id"]) == "FINISHED", 10, "FINISHED")
    _rule(meta, f"/meta/graph/v27.0/{IG_ID}/media_publish", "drop_after")
    with pytest.raises(requests.ConnectionError):
        meta.publish(token, made["id"])
    assert meta.status_code(token, made["id"]) == "PUBLISHED"
    assert error(meta.publish(token, made["id"])) == (24, 2207008)
    assert len(meta.handle.summary()["ig_published"]) == 1


def test_drop_before_the_call_had_no_effect(meta: Meta) -> None:
    token = meta.long_token()
    _rule(meta, f"/meta/graph/v27.0/{IG_ID}/media", "drop")
    with pytest.raises(requests.ConnectionError):
        meta.container(token)
    assert meta.handle.summary()["containers"] == {}


def test_rupload_5xx_uses_the_rupload_shape(meta: Meta) -> None:
    token = meta.long_token()
    uri = meta.container(token).json()["uri"]
    _rule(meta, "/meta/rupload/", "503")
    resp = meta.upload(uri, token, b"abc")
    assert resp.status_code == 503 and resp.json()["debug_info"]["retriable"] is True
    assert meta.offset(uri, token) == 0


def test_seeded_random_faults_and_control_endpoints_are_never_faulted(meta: Meta) -> None:
    token = meta.long_token()
    meta.handle.configure(fault_rate=1.0, fault_kinds=["500"])
    assert meta.http.get(f"{meta.server.url}/_sandbox/meta/state").status_code == 200
    assert meta.call("GET", "me", token).status_code == 500
    assert meta.handle.summary()["counters"]["fault_500"] == 1


def test_tiktok_faults_do_not_reach_meta(meta: Meta) -> None:
    token = meta.long_token()
    meta.server.configure(fault_rate=1.0, fault_kinds=["500"])
    assert meta.call("GET", "me", token).status_code == 200


def test_unknown_fault_kind_and_config_key_are_refused(meta: Meta) -> None:
    resp = meta.http.post(
        f"{meta.server.url}/_sandbox/meta/faults",
        json={"fail_next": [{"endpoint": "/meta/", "kind": "teapot"}]},
    )
    assert resp.status_code == 400
    assert (
        meta.http.post(f"{meta.server.url}/_sandbox/meta/config", json={"x": 1}).status_code == 400
    )
