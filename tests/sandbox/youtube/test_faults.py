"""Faults on the Google endpoints: Nth-call 5xx, drops, lost answers, slowness, holds."""

from __future__ import annotations

import os
import threading
import time

import pytest
import requests

from tests.sandbox.support import wait_for
from tests.sandbox.youtube.support import UNIT, Google, stored

DATA = os.urandom(3 * UNIT + 5)


def _rule(yt: Google, **rule: object) -> None:
    yt.control("faults", {"fail_next": [rule]})


@pytest.mark.parametrize(("kind", "expected"), [("500", "backendError"), ("503", "backendError")])
def test_5xx_on_the_nth_chunk_then_resume(yt: Google, kind: str, expected: str) -> None:
    uri = yt.session(yt.login()["access_token"], len(DATA))
    _rule(yt, endpoint="/google/upload/", kind=kind, skip=1)
    assert yt.put(uri, DATA[:UNIT], 0, len(DATA)).status_code == 308
    failed = yt.put(uri, DATA[UNIT : 2 * UNIT], UNIT, len(DATA))
    assert failed.status_code == int(kind)
    assert failed.json()["error"]["errors"][0]["reason"] == expected
    kept = stored(yt.ask(uri, len(DATA)))
    assert kept == UNIT
    assert yt.put(uri, DATA[kept:], kept, len(DATA)).status_code == 201


def test_oauth_fault_uses_the_flat_shape(yt: Google) -> None:
    tokens = yt.login()
    _rule(yt, endpoint="/google/token", kind="503")
    resp = yt.refresh(tokens["refresh_token"])
    assert resp.status_code == 503 and resp.json()["error"] == "temporarily_unavailable"
    assert yt.refresh(tokens["refresh_token"]).status_code == 200


def test_drop_before_and_drop_after_the_final_chunk(yt: Google) -> None:
    uri = yt.session(yt.login()["access_token"], len(DATA))
    _rule(yt, endpoint="/google/upload/", kind="drop")
    with pytest.raises(requests.ConnectionError):
        yt.put(uri, DATA, 0, len(DATA))
    assert stored(yt.ask(uri, len(DATA))) == 0
    _rule(yt, endpoint="/google/upload/", kind="drop_after")
    with pytest.raises(requests.ConnectionError):
        yt.put(uri, DATA, 0, len(DATA))
    answer = yt.ask(uri, len(DATA))  # the lost answer: asking gives the one video
    assert answer.status_code == 201 and len(yt.state.summary()["videos"]) == 1


def test_slow_fault_delays_then_answers(yt: Google) -> None:
    token = yt.login()["access_token"]
    _rule(yt, endpoint="/google/youtube/", kind="slow", seconds=0.3)
    began = time.monotonic()
    resp = yt.get("/youtube/v3/channels", token, part="snippet", mine="true")
    assert resp.status_code == 200 and time.monotonic() - began >= 0.3


def test_random_faults_are_seeded(yt: Google) -> None:
    token = yt.login()["access_token"]

    def run() -> list[int]:
        yt.control("faults", {"fault_rate": 0.5, "fault_kinds": ["500", "503"], "seed": 7})
        codes = [
            yt.get("/youtube/v3/channels", token, part="snippet", mine="true").status_code
            for _ in range(12)
        ]
        yt.control("faults", {"fault_rate": 0.0})
        return codes

    first, second = run(), run()
    assert first == second and {500, 503} & set(first) and 200 in first


def test_hold_parks_a_chunk_mid_body(yt: Google) -> None:
    uri = yt.session(yt.login()["access_token"], len(DATA))
    yt.control("holds", {"endpoints": ["/google/upload/"]})
    result: dict[str, requests.Response] = {}
    sender = threading.Thread(
        target=lambda: result.setdefault("r", yt.put(uri, DATA[: 2 * UNIT], 0, len(DATA)))
    )
    sender.start()
    held = wait_for(lambda: yt.http.get(f"{yt.url}/_sandbox/youtube/holds").json())
    yt.control(f"holds/{held[0]['id']}/release", {"then": "mid_body"})
    wait_for(
        lambda: [h for h in yt.http.get(f"{yt.url}/_sandbox/youtube/holds").json()
                 if h["phase"] == "mid_body"]
    )  # fmt: skip
    assert yt.state.summary()["sessions"][0]["received"] == UNIT
    yt.control(f"holds/{held[0]['id']}/release")
    sender.join(10)
    assert stored(result["r"]) == 2 * UNIT
