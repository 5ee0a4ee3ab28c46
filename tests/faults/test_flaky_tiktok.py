"""TikTok failing 20% of the calls (5xx, 429, timeouts, dropped connections) during sends."""

from __future__ import annotations

import random

from flask import Flask

from studio.platforms.models import DeliveryStatus
from tests.faults.support import received, settle
from tests.posts.conftest import make_post
from tests.workers import Workers, big_video

POSTS = 12
WINDOW = 3.0  # TikTok's one-minute window, scaled down on both sides to keep the test short


def test_every_post_finishes_within_the_rate_limits(
    app: Flask, sandbox, account, workers: Workers, rng: random.Random, tally
):
    """Fault: the sandbox answers 20% of API calls (init, chunk PUT, status; seeded) with 500,
    503, an injected 429, a 1.5 s stall past the app's 1 s timeout, or a dropped connection
    (before the call takes effect, or after: the answer is lost, the outcome unknown).
    Two worker processes send 12 posts while TikTok allows 6 inits and 30 status calls per
    token per window (the window shrunk to 3 s on both sides, the limits kept).

    Asserts: every post ends IN_INBOX, each video reached TikTok exactly once and byte-exact,
    and the sandbox never refused a call for exceeding its rate limits (its own count of real,
    not injected, 429s is zero).
    """
    sandbox.configure(rate_limit_window=WINDOW, pending_share_limit=1000)
    app.config.update(POSTS_RATE_WINDOW=WINDOW, POSTS_PENDING_DRAFT_LIMIT=1000, TIKTOK_TIMEOUT=1.0)
    videos = [big_video(app, 1_000_000 + i) for i in range(POSTS)]
    ids = [make_post(app, video, account) for video in videos]
    sandbox.configure(
        fault_rate=0.2,
        fault_kinds=["500", "503", "429", "slow", "drop", "drop_after"],
        slow_seconds=1.5,
        seed=rng.randrange(2**32),
    )
    workers.start(), workers.start()
    finished = settle(app, ids, timeout=150)
    sandbox.configure(fault_rate=0.0)
    counters = sandbox.state.summary()["counters"]
    problems = received(app, sandbox, finished, videos)
    lost = [p.post_id for p in finished if p.status != DeliveryStatus.IN_INBOX]
    kinds = {k[6:]: v for k, v in counters.items() if k.startswith("fault_")}
    tally(counters["faults_injected"], len(lost) + len(problems), f"({kinds})")
    assert lost == [] and problems == []
    assert counters.get("rate_limited", 0) == 0, {k: v for k, v in counters.items() if "rate" in k}
    assert counters["faults_injected"] > 0
    assert counters["inits"] >= POSTS
