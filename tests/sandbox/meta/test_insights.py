"""The Meta sandbox's insights: strict metric names, lag as an empty `data`, growth, pins."""

from __future__ import annotations

import requests

from studio.sandbox.server import SandboxServer
from tests.sandbox.meta.support import IG_ID, PAGE_ID, REDIRECT, SCOPES, Meta

INSIGHTS = SCOPES + ",read_insights"


def _token(meta: Meta) -> str:
    code = meta.authorize(scope=INSIGHTS)["code"]
    answer = meta.exchange(code=code, redirect_uri=REDIRECT)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _media(meta: Meta, token: str) -> list[str]:
    answer = meta.call("GET", f"{IG_ID}/media", token, fields="id,timestamp")
    assert answer.status_code == 200, answer.text
    return [m["id"] for m in answer.json()["data"]]


def test_instagram_counts_media_and_insights_grow_and_removed_metrics_are_refused(
    meta: Meta,
) -> None:
    token = _token(meta)
    account = meta.call("GET", IG_ID, token, fields="followers_count,media_count").json()
    assert account["followers_count"] >= 1500 and account["media_count"] == 2
    newest = _media(meta, token)[0]
    answer = meta.call("GET", f"{newest}/insights", token, metric="views,reach,saved")
    assert answer.status_code == 200, answer.text
    values = {d["name"]: d["values"][0]["value"] for d in answer.json()["data"]}
    assert set(values) == {"views", "reach", "saved"} and values["views"] > 0
    for removed in ("plays", "impressions"):
        refused = meta.call("GET", f"{newest}/insights", token, metric=f"views,{removed}")
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == 100 and "metric[1]" in refused.text


def test_insights_are_empty_while_younger_than_the_lag_and_pins_win(
    meta: Meta, sbx: SandboxServer, http: requests.Session
) -> None:
    token = _token(meta)
    newest = _media(meta, token)[0]
    control = f"{sbx.url}/_sandbox/meta/metrics"
    assert http.post(control, json={"lag_seconds": 10**9}, timeout=10).status_code == 200
    lagging = meta.call("GET", f"{newest}/insights", token, metric="views,likes")
    assert lagging.status_code == 200 and lagging.json()["data"] == []
    pins = {"lag_seconds": 0, "figures": {f"media:{newest}": {"views": 42, "likes": None}}}
    assert http.post(control, json=pins, timeout=10).status_code == 200
    answer = meta.call("GET", f"{newest}/insights", token, metric="views,likes")
    assert [(d["name"], d["values"][0]["value"]) for d in answer.json()["data"]] == [("views", 42)]
    assert http.post(control, json={"figures": {"x": 5}}, timeout=10).status_code == 400


def test_page_followers_reels_and_video_insights(meta: Meta) -> None:
    page_token = meta.page_token(_token(meta), PAGE_ID)
    page = meta.call("GET", PAGE_ID, page_token, fields="followers_count").json()
    assert page["followers_count"] >= 2400
    reels = meta.call("GET", f"{PAGE_ID}/video_reels", page_token, fields="id,created_time")
    [newest, _older] = [r["id"] for r in reels.json()["data"]]
    metrics = "blue_reels_play_count,post_video_likes_by_reaction_type,post_video_social_actions"
    answer = meta.call("GET", f"{newest}/video_insights", page_token, metric=metrics)
    values = {d["name"]: d["values"][0]["value"] for d in answer.json()["data"]}
    assert values["blue_reels_play_count"] > 0
    assert set(values["post_video_social_actions"]) == {"COMMENT", "SHARE"}
    assert "REACTION_LIKE" in values["post_video_likes_by_reaction_type"]
    wrong = meta.call("GET", f"{newest}/video_insights", page_token, metric="total_video_plays")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == 100
