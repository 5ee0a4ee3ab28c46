"""Fault injection: deterministic rules, seeded random faults, dropped connections."""

from __future__ import annotations

import time

import pytest
import requests

from studio.sandbox.server import SandboxServer
from tests.sandbox.support import TikTok

INFO = "/v2/user/info/?fields=open_id"


def _rule(tt: TikTok, endpoint: str, kind: str, count: int = 1, **extra: object) -> None:
    resp = tt.http.post(
        f"{tt.url}/_sandbox/faults",
        json={"fail_next": [{"endpoint": endpoint, "count": count, "kind": kind, **extra}]},
    )
    assert resp.status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("500", 500, "internal_error"),
        ("429", 429, "rate_limit_exceeded"),
        ("503", 503, "internal_error"),
        ("401", 401, "access_token_invalid"),
    ],
)
def test_fail_next_then_recover(tt: TikTok, kind: str, status: int, code: str) -> None:
    token = tt.login()["access_token"]
    _rule(tt, "/v2/user/info/", kind, count=2)
    first, second, third = (tt.api(INFO, token, method="GET") for _ in range(3))
    assert (first.status_code, first.json()["error"]["code"]) == (status, code)
    assert second.status_code == status and third.status_code == 200


def test_oauth_fault_uses_oauth_shape(tt: TikTok) -> None:
    _rule(tt, "/v2/oauth/token/", "500")
    resp = tt.token(grant_type="refresh_token", refresh_token="rft.x")
    assert resp.status_code == 500 and resp.json()["error"] == "server_error"


def test_drop_closes_connection_without_answer(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    _rule(tt, "/v2/user/info/", "drop")
    with pytest.raises(requests.ConnectionError):
        tt.api(INFO, token, method="GET")
    assert tt.api(INFO, token, method="GET").status_code == 200


def test_drop_on_upload_chunk(tt: TikTok) -> None:
    data = tt.inbox_init(tt.login()["access_token"], 6 * 1024 * 1024, 6 * 1024 * 1024, 1)
    url = data.json()["data"]["upload_url"]
    _rule(tt, "/upload/", "drop")
    with pytest.raises(requests.ConnectionError):
        tt.put(url, b"\0" * (6 * 1024 * 1024), 0, 6 * 1024 * 1024)
    assert tt.put(url, b"\0" * (6 * 1024 * 1024), 0, 6 * 1024 * 1024).status_code == 201


def test_drop_after_chunk_was_accepted_then_resend_is_idempotent(tt: TikTok) -> None:
    size = 11 * 1024 * 1024
    video = bytes(range(256)) * (size // 256)
    data = tt.inbox_init(tt.login()["access_token"], size, 5 * 1024 * 1024, 2).json()["data"]
    _rule(tt, "/upload/", "drop_after")
    with pytest.raises(requests.ConnectionError):
        tt.put(data["upload_url"], video[: 5 * 1024 * 1024], 0, size)
    resend = tt.put(data["upload_url"], video[: 5 * 1024 * 1024], 0, size)
    assert resend.status_code == 206
    assert (
        tt.put(data["upload_url"], video[5 * 1024 * 1024 :], 5 * 1024 * 1024, size).status_code
        == 201
    )


def test_slow_fault(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    _rule(tt, "/v2/user/info/", "slow", seconds=0.3)
    started = time.monotonic()
    assert tt.api(INFO, token, method="GET").status_code == 200
    assert time.monotonic() - started >= 0.3


def _random_run(http: requests.Session) -> list[int]:
    config = {"fault_rate": 0.5, "fault_kinds": ["500", "429"], "seed": 7}
    with SandboxServer(config) as server:
        return [http.get(f"{server.url}/v2/user/info/").status_code for _ in range(20)]


def test_random_faults_are_seeded(http: requests.Session) -> None:
    first, second = _random_run(http), _random_run(http)
    assert first == second
    assert {500, 429} <= set(first) and 401 in first


def test_control_endpoints_are_never_faulted(tt: TikTok) -> None:
    tt.server.configure(fault_rate=1.0, fault_kinds=["500"])
    assert tt.http.get(f"{tt.url}/_sandbox/state").status_code == 200
    assert tt.http.get(f"{tt.url}/v2/user/info/").status_code == 500
    assert tt.server.state.summary()["counters"]["fault_500"] == 1


def test_unknown_config_key_refused(tt: TikTok) -> None:
    resp = tt.http.post(f"{tt.url}/_sandbox/config", json={"nope": 1})
    assert resp.status_code == 400
    with pytest.raises(KeyError):
        tt.server.configure(nope=1)
