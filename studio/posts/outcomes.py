"""What the send job writes: durable step outcomes, terminal states, waits, audit notes."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from studio.audit import Action, record
from studio.db import utcnow
from studio.platforms.models import Delivery, DeliveryStatus
from studio.platforms.tiktok import services as tiktok
from studio.posts import budget
from studio.posts.lease import Heartbeat
from studio.posts.models import Post
from studio.posts.reasons import FAIL_REASONS, explain


class Deferred(Exception):
    """Stop this run; the delivery continues after `seconds` (scheduled and swept)."""

    def __init__(
        self, seconds: float, status: DeliveryStatus | None = None, note: str = ""
    ) -> None:
        super().__init__(note)
        self.seconds, self.status, self.note = seconds, status, note


class Outcomes:
    """The leased delivery (and its post), and the ways a send step records what happened."""

    url_dead: bool  # set by the Sender: TikTok answered 403/404 for the upload_url

    def __init__(
        self, session: Session, post: Post, delivery: Delivery, heartbeat: Heartbeat
    ) -> None:
        self.session, self.post, self.delivery = session, post, delivery
        self.heartbeat = heartbeat
        self.cfg = current_app.config
        self.taken: tuple[str, float] | None = None  # budget taken for the next call

    def finish(self, status: DeliveryStatus, post_ids: list[str]) -> None:
        """Terminal success (in the inbox, or published)."""
        ids = list(dict.fromkeys([*self.delivery.remote_post_ids, *post_ids]))
        self.save(
            status=status,
            remote_post_ids=ids,
            finished_at=utcnow(),
            transfer_url_enc=None,
            next_attempt_at=None,
            fail_reason=None,
            fail_message=None,
            retryable=False,
            status_note=None,
        )
        self.note(self.delivery.label)

    def fail(self, code: str, message: str | None = None, from_tiktok: bool = False) -> None:
        """Terminal failure with the reason in plain words."""
        reason = FAIL_REASONS.get(code) if from_tiktok else None
        reason = reason or explain(code, message)
        self.save(
            status=DeliveryStatus.FAILED,
            fail_reason=code,
            fail_message=reason.text,
            retryable=reason.retryable,
            finished_at=utcnow(),
            transfer_url_enc=None,
            next_attempt_at=None,
            status_note=None,
        )
        self.note(f"failed: {code}", status="error")

    def hold(self, why: str) -> None:
        """Queue behind TikTok's draft limit instead of failing."""
        self.save(
            status=DeliveryStatus.HELD, status_note="Waiting for TikTok's draft limit: " + why
        )
        self.note("held: " + why)
        raise Deferred(float(self.cfg["POSTS_HOLD_RECHECK"]), DeliveryStatus.HELD, why)

    def call(self, fn: Any) -> Any:
        """A TikTok API call with a fresh token (refreshed once on access_token_invalid).

        The budget taken for it is settled at the answer, whatever the answer was.
        """
        self.session.commit()
        try:
            return tiktok.call_with_token(self.session, self.delivery.account_id, fn)
        finally:
            if self.taken is not None:
                (bucket, stamp), self.taken = self.taken, None
                budget.settle(self.session, self.delivery.account_id, bucket, stamp)

    def take_budget(self, bucket: str, limit: int) -> None:
        """Wait (inline or deferred) until the account may make one more call of this kind."""
        window = float(self.cfg["POSTS_RATE_WINDOW"])
        while True:
            wait, stamp = budget.reserve(
                self.session, self.delivery.account_id, bucket, limit, window
            )
            if stamp is not None:
                self.taken = (bucket, stamp)
                return
            self.wait(wait, f"TikTok allows {limit} {bucket} calls a minute")

    def wait(self, seconds: float, why: str, retry: bool = False) -> None:
        """Sleep while holding the lease if short, else hand the delivery to a later run."""
        if seconds > float(self.cfg["POSTS_INLINE_WAIT_MAX"]):
            status = DeliveryStatus.WAITING_RETRY if retry else None
            raise Deferred(seconds, status, why)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.heartbeat.check()
            time.sleep(min(left, 0.5))

    def url_usable(self) -> bool:
        """True while the upload_url has more than the safety margin left."""
        expires = self.delivery.transfer_url_expires_at
        margin = dt.timedelta(seconds=float(self.cfg["POSTS_UPLOAD_URL_MARGIN"]))
        if self.url_dead or not (
            self.delivery.transfer_url_enc and expires and self.delivery.chunk_size
        ):
            return False
        return expires - margin > utcnow()

    def save(self, **changes: Any) -> None:
        """Write and commit at once: each step's outcome is durable before the next call.

        Nothing is written once the lease is lost: the new owner reconciles with TikTok.
        """
        self.heartbeat.check()
        for key, value in changes.items():
            setattr(self.delivery, key, value)
        self.session.commit()

    def note(self, summary: str, status: str = "ok") -> None:
        """An audit entry for a state change of the delivery (scoped to its post and account)."""
        record(Action.POST_STATUS, summary=f"post {self.post.id}: {summary}", status=status)
