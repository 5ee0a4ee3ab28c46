"""Helpers of the faults suite: run the sweeper until posts settle, count what TikTok got."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from sqlalchemy import select

from studio import db
from studio.platforms.models import Delivery
from studio.posts import tasks
from studio.sandbox.server import SandboxServer
from tests.helpers import sent_sha256

CALLS = {  # the TikTok calls of a send a fault can catch, and the points where each can be held
    "/v2/post/publish/inbox/video/init/": ("before", "after"),
    "/upload/": ("before", "mid_body", "after"),
    "/v2/post/publish/status/fetch/": ("before", "after"),
}


def posts(app: Flask, ids: Iterable[int]) -> list[Delivery]:
    """Fresh copies of the posts' (only) deliveries, in the order of the post `ids`."""
    ids = list(ids)
    with app.app_context():
        query = select(Delivery).where(Delivery.post_id.in_(ids))
        rows = {d.post_id: d for d in db.session.scalars(query)}
        db.session.commit()
    return [rows[i] for i in ids]


def settle(
    app: Flask,
    ids: list[int],
    timeout: float,
    tick: Callable[[], None] | None = None,
    every: float = 0.25,
) -> list[Delivery]:
    """Sweep (as the periodic task does, only more often) until every post is terminal.

    `tick` runs between sweeps (the test's fault injector). Fails on timeout.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tick is not None:
            tick()
        current = posts(app, ids)
        if all(p.is_terminal for p in current):
            return current
        with app.app_context():
            tasks.sweep()
        time.sleep(every)
    unfinished = [
        (p.post_id, p.status, p.status_note) for p in posts(app, ids) if not p.is_terminal
    ]
    raise AssertionError(f"posts not finished after {timeout} s: {unfinished}")


def completed(sandbox: SandboxServer) -> Counter[str]:
    """How many complete videos TikTok received per publish_id."""
    return Counter(u["publish_id"] for u in sandbox.state.summary()["completed_uploads"])


def received(
    app: Flask, sandbox: SandboxServer, finished: list[Delivery], videos: list[Any]
) -> list[str]:
    """Problems with what TikTok received: each post's video exactly once, byte-exact."""
    state = sandbox.state.summary()
    counts = completed(sandbox)
    hashes = {u["publish_id"]: u["sha256"] for u in state["completed_uploads"]}
    problems = []
    for post, video in zip(finished, videos, strict=True):
        if counts.get(post.remote_id or "", 0) != 1:
            problems.append(f"post {post.post_id}: {counts.get(post.remote_id or '', 0)} copies")
        elif hashes[post.remote_id or ""] != sent_sha256(app, video):
            problems.append(f"post {post.post_id}: TikTok got other bytes")
    ours = {p.remote_id for p in finished}
    problems += [f"stray upload {pid}" for pid in counts if pid not in ours]
    return problems
