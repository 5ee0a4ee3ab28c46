"""A worker SIGKILLed in the middle of an Instagram rupload: the next one resumes at Meta's
offset and the Reel is published once."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from studio import db
from studio.platforms.models import DeliveryStatus
from studio.posts import services
from studio.sandbox import holds
from studio.sandbox.server import SandboxServer
from tests.faults.conftest import FAST
from tests.faults.support import settle
from tests.helpers import delivery_of
from tests.platforms.meta.sending.support import (
    REDIRECT,
    make_post,
    meta_config,
    seed_accounts,
    sha256_of,
)
from tests.workers import Workers, big_video, wait_for

SIZE = 40_000_000


@pytest.fixture
def app(make_sandbox_app, sandbox: SandboxServer) -> Flask:
    """An app on the sandbox's Meta; quick retries, polls and leases."""
    sandbox.meta.configure(processing_delay=0.05, redirect_uris=[REDIRECT])
    return make_sandbox_app(**meta_config(sandbox), **FAST)


@pytest.mark.parametrize("platform", ["instagram", "facebook"])
def test_sigkill_mid_rupload_resumes_at_metas_offset_with_one_reel(
    app: Flask, sandbox: SandboxServer, workers: Workers, tmp_path: Path, tally, platform
):
    """Fault: the sandbox parks the rupload POST with half the body received; the worker
    sending it is SIGKILLed there. A fresh worker takes the delivery once the lease runs out,
    asks Meta's offset and sends only the rest (the sandbox refuses any other offset).

    Asserts: PUBLISHED; one Reel; byte-exact (sha256); Meta received the file's bytes
    exactly once in all (nothing re-sent from 0); the resumed upload started past 0.
    """
    accounts = seed_accounts(app, sandbox)
    video = big_video(app, SIZE)
    box = sandbox.meta.state  # a kit.State: the shared holds work on it
    holds.arm(box, ["/meta/rupload/"])
    post_id = make_post(app, video, accounts[platform], platform)
    first = workers.start()
    workers.wait_ready(first)
    with app.app_context():
        services.enqueue(delivery_of(post_id).id)
    held = wait_for(lambda: holds.parked(box), 60, "the rupload to be parked", first)[0]
    holds.release(box, held.id, then="mid_body")
    held = wait_for(
        lambda: [h for h in holds.parked(box) if h.phase == "mid_body"], 60, "half a body", first
    )[0]
    owner = workers.owner_of(held.port)
    assert owner is first
    workers.kill(first)
    holds.release(box, held.id)
    cut_at = (
        wait_for(lambda: not holds.parked(box), 30, "the cut upload to end")
        and (sandbox.meta.summary()["counters"]["bytes_received"])
    )
    workers.wait_ready(workers.start())

    [delivery] = settle(app, [post_id], timeout=120)
    counters = sandbox.meta.summary()["counters"]
    state = sandbox.meta.state
    out = state.ig_published if platform == "instagram" else state.reels_published
    lost = int(delivery.status != DeliveryStatus.PUBLISHED) + abs(len(out) - 1)
    tally(1, lost, f"({platform}: cut at {cut_at} of {SIZE} bytes)")
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    assert len(out) == 1 and out[0]["sha256"] == sha256_of(app, video)
    assert 0 < cut_at < SIZE
    assert counters["bytes_received"] == SIZE  # the rest only, from Meta's offset
    with app.app_context():
        assert delivery_of(post_id).bytes_sent == SIZE
        db.session.commit()
