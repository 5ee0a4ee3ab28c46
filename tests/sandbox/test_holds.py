"""Holds: a call parked on arrival, with half its body read, or answered but not yet sent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from studio.sandbox import holds
from tests.helpers import wait_until
from tests.sandbox.support import MIB, TikTok

INFO = "/v2/user/info/?fields=open_id"


def parked(tt: TikTok, phase: str) -> dict[str, Any]:
    """Wait until one call is parked at `phase`; returns it as the control API shows it."""
    return wait_until(
        lambda: [h for h in tt.http.get(f"{tt.url}/_sandbox/holds").json() if h["phase"] == phase],
        30,
        f"a call parked at {phase}",
    )[0]


def release(tt: TikTok, held: dict[str, Any], then: str | None = None) -> requests.Response:
    return tt.http.post(f"{tt.url}/_sandbox/holds/{held['id']}/release", json={"then": then})


def test_hold_skips_then_parks_a_call_until_released(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    armed = tt.http.post(f"{tt.url}/_sandbox/holds", json={"endpoints": ["/v2/user/"], "skip": 1})
    assert armed.status_code == 200
    assert tt.api(INFO, token, method="GET").status_code == 200  # skipped: answered at once
    with requests.Session() as other, ThreadPoolExecutor(1) as pool:
        other.trust_env = False
        call = pool.submit(other.get, tt.url + INFO, headers={"Authorization": f"Bearer {token}"})
        held = parked(tt, "before")
        assert held["method"] == "GET" and held["path"] == "/v2/user/info/"
        assert held["port"] != tt.server.port  # the client's side of the connection
        assert not call.done()
        assert release(tt, held, "after").json() == {"released": True}
        assert parked(tt, "after")["id"] == held["id"]  # answered, the answer not yet sent
        assert not call.done()
        assert release(tt, held).json() == {"released": True}
        assert call.result(timeout=30).status_code == 200
    assert tt.http.get(f"{tt.url}/_sandbox/holds").json() == []
    assert release(tt, held).json() == {"released": False}


def test_chunk_parked_with_half_its_body_read(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    size = 6 * MIB
    data = tt.inbox_init(token, size, size, 1).json()["data"]
    holds.arm(tt.server.state, ["/upload/"])
    with ThreadPoolExecutor(1) as pool:
        put = pool.submit(tt.put, data["upload_url"], b"\1" * size, 0, size)
        held = parked(tt, "before")
        assert release(tt, held, "mid_body").status_code == 200
        parked(tt, "mid_body")
        state = tt.http.get(f"{tt.url}/_sandbox/state").json()
        assert state["uploads"][data["publish_id"]]["received"] == 0  # nothing accepted yet
        release(tt, held)
        assert put.result(timeout=30).status_code == 201


def test_bad_hold_requests_are_refused(tt: TikTok) -> None:
    refused = tt.http.post(f"{tt.url}/_sandbox/holds", json={"endpoints": "/upload/"})
    assert refused.status_code == 400 and "endpoints" in refused.json()["error"]
    wrong = tt.http.post(f"{tt.url}/_sandbox/holds/1/release", json={"then": "later"})
    assert wrong.status_code == 400 and "unknown phase" in wrong.json()["error"]
