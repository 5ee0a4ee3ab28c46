"""Worker processes SIGKILLed at chosen points of their work while 20 posts go to TikTok."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from studio import db
from studio.platforms.models import Delivery, DeliveryStatus
from studio.sandbox import holds
from tests.faults.support import CALLS, posts, received, settle
from tests.posts.conftest import make_post
from tests.workers import Workers, big_video

SMALL, LARGE = 2_000_000, 66_000_000  # one chunk; two chunks (32 MB + 34 MB)
KILLS = 10
# before: the call is on its way; mid_body: half the chunk sent; after: TikTok acted and
# answered, nothing recorded yet; lease: on its way, killed right after a lease renewal.
EXTRA = ("lease",)


def leases(app: Flask, pid: int) -> dict[int, dt.datetime]:
    """The posts whose delivery the worker process `pid` holds right now, with their lease
    expiries."""
    with app.app_context():
        rows = db.session.execute(
            select(Delivery.post_id, Delivery.lease_until).where(
                Delivery.lease_owner.like(f"%:{pid}:%")
            )
        ).all()
        db.session.commit()
    return {post_id: until for post_id, until in rows}


class Killer:
    """Kills the worker behind the call the sandbox parked, at the point the RNG chose.

    The sandbox parks the call after the next `skip` calls (seeded); the test then picks,
    among the points that call has, where the kill lands. A kill always leaves its post
    unfinished, so its post makes another call: `skip` never exceeds the calls certain to
    come, and every planned kill lands however fast the machine is.
    """

    def __init__(self, app: Flask, sandbox: Any, workers: Workers, rng: random.Random) -> None:
        self.app, self.sandbox, self.workers, self.rng = app, sandbox, workers, rng
        self.pool = [workers.start(), workers.start()]
        self.kills, self.hits = 0, Counter[str]()
        self.chosen: dict[int, tuple[str, Any]] = {}  # parked call → (point, lease snapshot)

    def arm(self, unfinished: int) -> None:
        """Park a coming call; at most `unfinished - 5` are skipped (up to 4 calls in flight
        may be a finished post's last, and the killed post always calls again)."""
        skip = self.rng.randrange(max(1, min(4, unfinished - 5)))
        holds.arm(self.sandbox.state, list(CALLS), skip)

    def tick(self, ids: list[int]) -> None:
        """Between sweeps: move the parked call to its chosen point, or kill its worker."""
        for held in holds.parked(self.sandbox.state):
            owner = self.workers.owner_of(held.port)
            call = next(c for c in CALLS if held.path.startswith(c))
            if held.id not in self.chosen:
                point = self.rng.choice(CALLS[call] + EXTRA)
                snapshot = leases(self.app, owner.pid) if owner else {}
                self.chosen[held.id] = (point, snapshot)
            point, snapshot = self.chosen[held.id]
            if point in holds.PHASES and held.phase != point:
                holds.release(self.sandbox.state, held.id, then=point)
                continue
            if point == "lease" and snapshot and not self.renewed(owner.pid, snapshot):
                continue  # the heartbeat renews within a third of the lease
            if owner is not None:
                self.workers.kill(owner)
                self.pool[self.pool.index(owner)] = self.workers.start()
                self.kills += 1
                self.hits[f"{call.strip('/').split('/')[-1]} {point}"] += 1
            holds.release(self.sandbox.state, held.id)
            if self.kills < KILLS:
                self.arm(sum(not p.is_terminal for p in posts(self.app, ids)))

    def renewed(self, pid: int, snapshot: dict[int, dt.datetime]) -> bool:
        """A lease the worker held when its call was parked has been pushed forward since."""
        now = leases(self.app, pid)
        return any(now.get(post, until) > until for post, until in snapshot.items() if until)


def test_sigkill_at_chosen_points_loses_and_duplicates_nothing(
    app: Flask, sandbox, account, workers: Workers, rng: random.Random, tmp_path: Path, tally
):
    """Fault: two worker processes (two threads each) send 20 posts (13 one-chunk, 7 two-chunk);
    10 times, the sandbox parks a TikTok call (which one: seeded) and the worker that made it
    is SIGKILLed at a point chosen by the seeded RNG among those the call has: on its way,
    half of a chunk sent, TikTok's answer given but not yet received or recorded, or right
    after a lease renewal. A fresh worker replaces each one; the test process sweeps as the
    periodic task would.

    Asserts: all 10 kills landed; all 20 posts end IN_INBOX; TikTok received each post's
    video exactly once, byte-exact (sha256), and no upload that belongs to no post.
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
    killer = Killer(app, sandbox, workers, rng)
    killer.arm(len(ids))

    finished = settle(app, ids, timeout=240, tick=lambda: killer.tick(ids), every=0.1)
    problems = received(app, sandbox, finished, videos)
    lost = [p.post_id for p in finished if p.status != DeliveryStatus.IN_INBOX]
    tally(killer.kills, len(lost) + len(problems), f"(killed at: {dict(killer.hits)})")
    assert killer.kills == KILLS, f"only {killer.kills} kills landed: {dict(killer.hits)}"
    assert lost == [] and problems == []
    assert len(sandbox.state.summary()["completed_uploads"]) == 20
