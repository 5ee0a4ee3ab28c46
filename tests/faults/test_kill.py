"""Worker processes SIGKILLed at random points while 20 posts are sent to TikTok."""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from studio import db
from studio.posts.models import Post, PostStatus
from tests.faults.support import received, settle
from tests.posts.conftest import make_post
from tests.workers import Workers, big_video

SMALL, LARGE = 2_000_000, 66_000_000  # one chunk; two chunks (32 MB + 34 MB)
KILLS = 10


def _leased_by(app: Flask, pid: int) -> list[str]:
    """Statuses of the posts the worker process `pid` holds right now."""
    with app.app_context():
        rows = db.session.execute(
            select(Post.status).where(Post.lease_owner.like(f"%:{pid}:%"))
        ).all()
        db.session.commit()
    return [str(status) for (status,) in rows]


def test_sigkill_at_random_points_loses_and_duplicates_nothing(
    app: Flask, sandbox, account, workers: Workers, rng: random.Random, tmp_path: Path, tally
):
    """Fault: two worker processes (two threads each) send 20 posts (13 one-chunk, 7 two-chunk);
    every 0.1-0.8 s (seeded) one of those holding a post is SIGKILLed and a fresh one started,
    10 kills in all. The test process sweeps as the periodic task would.

    Asserts: all 20 posts end IN_INBOX; TikTok received each post's video exactly once,
    byte-exact (sha256), and no upload that belongs to no post.
    """
    # Rate limits are not under test here (test_flaky_tiktok covers them): lift them.
    sandbox.configure(rate_limit_init=1000, rate_limit_status=10_000, pending_share_limit=1000)
    sandbox.configure(status_step_delay=0.25)  # processing takes a moment: kills land there too
    app.config.update(
        POSTS_INIT_PER_MINUTE=1000, POSTS_STATUS_PER_MINUTE=10_000, POSTS_PENDING_DRAFT_LIMIT=1000
    )
    base = tmp_path / "large.bin"
    base.write_bytes(rng.randbytes(LARGE))
    videos = [
        big_video(app, LARGE, base) if i % 3 == 1 else big_video(app, SMALL) for i in range(20)
    ]
    ids = [make_post(app, video, account) for video in videos]
    pool = [workers.start(), workers.start()]
    hits: Counter[str] = Counter()
    plan = {"kills": 0, "next": time.monotonic() + rng.uniform(0.1, 0.8)}

    def kill_one() -> None:
        if plan["kills"] >= KILLS or time.monotonic() < plan["next"]:
            return
        busy = {proc.pid: _leased_by(app, proc.pid) for proc in pool}
        if not any(busy.values()):
            return  # nothing in flight (workers still starting): kill when there is
        victim = rng.choice([proc for proc in pool if busy[proc.pid]])
        hits.update(busy[victim.pid])
        workers.kill(victim)
        pool[pool.index(victim)] = workers.start()
        plan["kills"] += 1
        plan["next"] = time.monotonic() + rng.uniform(0.1, 0.8)

    finished = settle(app, ids, timeout=150, tick=kill_one)
    problems = received(app, sandbox, finished, videos)
    lost = [p.id for p in finished if p.status != PostStatus.IN_INBOX]
    tally(plan["kills"], len(lost) + len(problems), f"(killed while: {dict(hits)})")
    assert plan["kills"] == KILLS
    assert lost == [] and problems == []
    assert len(sandbox.state.summary()["completed_uploads"]) == 20
