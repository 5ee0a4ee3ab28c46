"""Access tokens expiring mid-send, two workers refreshing at once, a lost rotation."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from studio import db
from studio.audit.actions import Action
from studio.audit.models import AuditEntry
from studio.db import utcnow
from studio.platforms.models import Account, AccountStatus, DeliveryStatus
from studio.platforms.tiktok import services as tiktok
from studio.platforms.tiktok.tokens import read_token
from studio.posts import tasks
from studio.sandbox import holds
from studio.sandbox import tokens as tiktok_tokens
from tests.conftest import connect_tiktok
from tests.faults.support import received, settle
from tests.helpers import delivery_of, extract_csrf, wait_until
from tests.posts.conftest import held_chunk, make_post, queue_held_upload
from tests.workers import Workers, big_video

INBOX_INIT = "/v2/post/publish/inbox/video/init/"
STATUS = "/v2/post/publish/status/fetch/"


def expire_at_tiktok(sandbox: Any) -> int:
    """Every access token the sandbox issued so far expires now (the refresh tokens live on)."""
    return tiktok_tokens.expire_access_tokens(sandbox.state)


def expire_in_our_records(app: Flask, account_id: int) -> None:
    """Our copy of the expiry agrees: the token is past its lifetime."""
    with app.app_context():
        account = db.session.get(Account, account_id)
        account.access_expires_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()


def exchanges(app: Flask, endpoint: str, status: int | None = None) -> list[AuditEntry]:
    """Audited TikTok exchanges with `endpoint` (and that HTTP status)."""
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.endpoint == endpoint)
        if status is not None:
            query = query.where(AuditEntry.http_status == status)
        rows = list(db.session.scalars(query.order_by(AuditEntry.seq)))
        db.session.commit()
    return rows


def assert_connected_with_live_tokens(app: Flask, sandbox: Any, account_id: int) -> None:
    """The account is connected and what we store is what TikTok considers current."""
    with app.app_context():
        account = db.session.get(Account, account_id)
        access, refresh = read_token(account), read_token(account, "refresh")
        assert account.status == AccountStatus.CONNECTED, account.status_reason
        db.session.commit()
    live = sandbox.state.access[access]
    assert not live.revoked and live.expires_at > time.time()
    assert refresh in sandbox.state.refresh  # the rotated refresh token, still valid
    refreshes = sandbox.state.counters["refreshes"]
    with app.app_context():
        tiktok.refresh_profile(db.session, account_id)  # the stored token works as it is
    assert sandbox.state.counters["refreshes"] == refreshes


@pytest.mark.parametrize("known", [True, False], ids=["expiry-known", "expired-early"])
def test_token_expiring_mid_upload_costs_one_refresh(
    app: Flask, sandbox, account, workers: Workers, known: bool, tally
):
    """Fault: while the second chunk of a two-chunk upload is on its way (parked by the
    sandbox until the test has expired the token), TikTok's access token expires. Either our
    records say so too (the job refreshes before its next status call), or TikTok expired it
    early (the status call gets a 401).

    Asserts: the post ends IN_INBOX with one init and one complete, byte-exact upload; exactly
    one refresh reached TikTok; a 401 only in the early case; the account stays connected with
    the rotated, working tokens.
    """
    video, post_id = queue_held_upload(app, sandbox, account, 66_000_000)
    held = held_chunk(sandbox, worker=workers.start())
    expired = expire_at_tiktok(sandbox)
    if known:
        expire_in_our_records(app, account.id)
    holds.release(sandbox.state, held.id)
    [post] = settle(app, [post_id], timeout=60)
    assert post.status == DeliveryStatus.IN_INBOX
    assert post.bytes_sent == 66_000_000 and post.restarts == 0
    problems = received(app, sandbox, [post], [video])
    counters = sandbox.state.summary()["counters"]
    tally(expired, len(problems) + (post.status != DeliveryStatus.IN_INBOX))
    assert problems == []
    assert counters["inits"] == 1 and counters["refreshes"] == 1
    assert len(exchanges(app, STATUS, 401)) == (0 if known else 1)
    assert_connected_with_live_tokens(app, sandbox, account.id)


def test_two_workers_hit_the_expired_token_and_refresh_once(
    app: Flask, sandbox, account, workers: Workers, tally
):
    """Fault: TikTok expires the access token early (our records still call it valid), and two
    worker processes start a post each; the sandbox parks both inits until both arrived, so
    both go out with the old token and both get a 401 at about the same time. Each then
    refreshes: one gets the rotated pair under the account's row lock, the other must use it,
    not refresh with the refresh token TikTok just rotated away.

    Asserts: both posts end IN_INBOX with their videos once; each post saw exactly one 401 on
    init (so both really held the old token); exactly one refresh grant reached TikTok and one
    refresh was audited; the account stays connected with working, current tokens.
    """
    workers.threads = 1
    videos = [big_video(app, 1_500_000 + i) for i in range(2)]
    ids = [make_post(app, video, account) for video in videos]
    expired = expire_at_tiktok(sandbox)
    holds.arm(sandbox.state, [INBOX_INIT])
    holds.arm(sandbox.state, [INBOX_INIT])
    workers.start(), workers.start()
    with app.app_context():
        for post_id in ids:
            tasks.send_delivery(delivery_of(post_id).id)
    both = wait_until(
        lambda: len(parked := holds.parked(sandbox.state)) == 2 and parked,
        60,
        "both inits to reach TikTok",
    )
    for held in both:
        holds.release(sandbox.state, held.id)
    finished = settle(app, ids, timeout=60)
    problems = received(app, sandbox, finished, videos)
    lost = [p.post_id for p in finished if p.status != DeliveryStatus.IN_INBOX]
    tally(expired + 2, len(lost) + len(problems), "(an expired token, two 401s at once)")
    assert lost == [] and problems == []
    rejected = exchanges(app, INBOX_INIT, 401)
    assert sorted(e.post_id for e in rejected) == sorted(ids)
    assert sandbox.state.counters["refreshes"] == 1
    with app.app_context():
        refreshed = db.session.scalars(
            select(AuditEntry).where(AuditEntry.kind == Action.TIKTOK_REFRESHED)
        ).all()
        assert len(refreshed) == 1
    assert_connected_with_live_tokens(app, sandbox, account.id)


def test_refresh_answer_lost_needs_reconnect_then_the_retry_finishes(
    app: Flask, sandbox, account, sandbox_client, workers: Workers, tally
):
    """Fault: the one window no design closes. Our token is due, the job refreshes, TikTok
    rotates the pair, and the answer is lost (the connection drops after the refresh took
    effect), so the refresh token we keep is dead.

    Asserts: the next refresh's invalid_grant marks the account "needs reconnect" and erases
    the tokens that stopped working (the account row stays); the post fails as retryable with
    nothing sent to TikTok. After an admin reconnects through OAuth and presses "Try again",
    the same post reaches the inbox with its video exactly once.
    """
    video = big_video(app, 1_200_000)
    expire_in_our_records(app, account.id)
    sandbox.state.fault_rules.append(
        {"endpoint": "/v2/oauth/token/", "count": 1, "kind": "drop_after", "seconds": None}
    )
    post_id = make_post(app, video, account)
    with app.app_context():
        tasks.send_delivery(delivery_of(post_id).id)
    workers.start()
    [post] = settle(app, [post_id], timeout=60)
    assert (post.status, post.fail_reason, post.retryable) == (
        DeliveryStatus.FAILED,
        "reconnect_needed",
        True,
    )
    with app.app_context():
        stored = db.session.get(Account, account.id)
        assert stored.status == AccountStatus.NEEDS_RECONNECT
        assert "invalid_grant" in stored.status_reason
        assert not (stored.data_key or stored.access_token_enc or stored.refresh_token_enc)
        db.session.commit()
    counters = sandbox.state.summary()["counters"]
    assert counters["refreshes"] == 1 and counters.get("inits", 0) == 0

    assert connect_tiktok(sandbox_client, sandbox).status_code == 302
    page = sandbox_client.get(f"/posts/{post_id}").get_data(as_text=True)
    retried = sandbox_client.post(
        f"/posts/{post_id}/retry", data={"csrf_token": extract_csrf(page)}
    )
    assert retried.status_code == 302
    [post] = settle(app, [post_id], timeout=60)
    problems = received(app, sandbox, [post], [video])
    tally(1, len(problems) + (post.status != DeliveryStatus.IN_INBOX), "(rotation answer lost)")
    assert post.status == DeliveryStatus.IN_INBOX and problems == []
    assert sandbox.state.summary()["counters"]["inits"] == 1
    assert_connected_with_live_tokens(app, sandbox, account.id)
