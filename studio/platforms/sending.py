"""What every platform's send job shares: the parcel it sends and the ways a step is recorded.

The posts room leases a delivery, hands its platform's sender a `Parcel` (the file and the
words, read from the post) and calls `drive()`. A sender subclasses `Run` and writes each step's
outcome durably before the next platform call, so a later run continues from the row.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from flask import current_app
from sqlalchemy.orm import Session

from studio.audit import Action, record
from studio.db import utcnow
from studio.platforms import budget
from studio.platforms.lease import Heartbeat
from studio.platforms.models import Delivery, DeliveryStatus
from studio.platforms.video import VideoInfo, info_of

T = TypeVar("T")


class Deferred(Exception):
    """Stop this run; the delivery continues after `seconds` (scheduled and swept)."""

    def __init__(
        self, seconds: float, status: DeliveryStatus | None = None, note: str = ""
    ) -> None:
        super().__init__(note)
        self.seconds, self.status, self.note = seconds, status, note


@dataclass(frozen=True)
class Reason:
    """A failure people can read, and whether a retry makes sense."""

    text: str
    retryable: bool


@dataclass(frozen=True)
class Parcel:
    """What a post hands a platform: the file on disk and the words staff consented to."""

    post_id: int
    path: Path | None  # None once the file was deleted
    content_type: str
    content_hash: str
    caption: str
    hashtags: list[str] = field(default_factory=list)
    title: str = ""  # caption and hashtags composed (TikTok's title)
    is_aigc: bool = False
    duration_s: float = 0.0
    width: int = 0
    height: int = 0
    fps: float = 0.0
    pull_url: str | None = None  # where the platform may download the file, if it pulls
    container: str = ""
    video_codec: str | None = None

    @property
    def file(self) -> Path | None:
        """The file when it is still on disk."""
        return self.path if self.path is not None and self.path.exists() else None

    def video(self, size_bytes: int) -> VideoInfo:
        """The file's facts as the platforms' video rules read them (its size read now)."""
        return info_of(self, size_bytes)


class Run:
    """The leased delivery, its parcel, and the ways a send step records what happened.

    A platform's sender sets `label` and `tokens` (its Refresher: access tokens with one
    refresher per account) and implements `drive()` and `explain()`.
    """

    label: ClassVar[str] = "the platform"
    held_by: ClassVar[str] = "limit"  # what `hold` waits for, in words
    tokens: ClassVar[Any]  # the platform's Refresher
    # Failure codes that mean the account must be reconnected (people are e-mailed once).
    reconnect_codes: ClassVar[frozenset[str]] = frozenset({"reconnect_needed"})

    def __init__(
        self, session: Session, delivery: Delivery, parcel: Parcel, heartbeat: Heartbeat
    ) -> None:
        self.session, self.delivery, self.parcel = session, delivery, parcel
        self.heartbeat = heartbeat
        self.cfg = current_app.config
        self.taken: tuple[str, float] | None = None  # budget taken for the next call

    def drive(self) -> None:
        """Run steps until the delivery is terminal; raises Deferred or LeaseLost to stop."""
        raise NotImplementedError

    @classmethod
    def explain(cls, code: str, message: str | None, from_platform: bool) -> Reason:
        """The plain-words reason for a failure code of this platform (or of our own)."""
        detail = f" ({message})" if message else ""
        return Reason(f"{cls.label} refused the video: {code}{detail}.", False)

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

    def fail(self, code: str, message: str | None = None, from_platform: bool = False) -> None:
        """Terminal failure with the reason in plain words."""
        reason = self.explain(code, message, from_platform)
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
        """Queue behind a platform's limit on pending sends instead of failing."""
        note = f"Waiting for {self.label}'s {self.held_by}: {why}"
        self.save(status=DeliveryStatus.HELD, status_note=note)
        self.note("held: " + why)
        raise Deferred(float(self.cfg["POSTS_HOLD_RECHECK"]), DeliveryStatus.HELD, why)

    def call(self, fn: Callable[[str], T]) -> T:
        """A platform call with a fresh token (refreshed once when the platform rejects it).

        The budget taken for it is settled at the answer, whatever the answer was.
        """
        self.session.commit()
        try:
            result: T = self.tokens.call_with_token(self.session, self.delivery.account_id, fn)
            return result
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
            self.wait(wait, f"{self.label} allows {limit} {bucket} calls a minute")

    def wait(self, seconds: float, why: str, retry: bool = False) -> None:
        """Sleep while holding the lease if short, else hand the delivery to a later run."""
        if seconds > float(self.cfg["POSTS_INLINE_WAIT_MAX"]):
            status = DeliveryStatus.WAITING_RETRY if retry else None
            raise Deferred(seconds, status, why)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.heartbeat.check()
            time.sleep(min(left, 0.5))

    def start_over(self, why: str, **forget: Any) -> bool:
        """Forget the platform's send and begin again, bounded by POSTS_MAX_RESTARTS so a bad
        loop cannot spin; `forget` names the platform's own fields to clear. False when the
        bound failed the delivery instead."""
        delivery = self.delivery
        if delivery.restarts >= int(self.cfg["POSTS_MAX_RESTARTS"]):
            self.fail("upload_restarts")
            return False
        self.save(
            remote_id=None,
            transfer_url_enc=None,
            bytes_sent=0,
            uploaded_at=None,
            status=DeliveryStatus.QUEUED,
            restarts=delivery.restarts + 1,
            status_note=f"Starting the upload again: {why}.",
            **forget,
        )
        self.note(f"restarting the upload: {why}")
        return True

    def describe(self, exc: BaseException) -> str:
        """A failure in words staff may read on the post page (never a token)."""
        return str(exc)

    def backoff(self, exc: BaseException, quiet: bool = False) -> None:
        """Exponential backoff with full jitter, bounded by POSTS_MAX_ATTEMPTS; `quiet` keeps
        the post page's note as it is (a retry staff need not hear about)."""
        attempts = self.delivery.attempts + 1
        why = self.describe(exc)
        if attempts > int(self.cfg["POSTS_MAX_ATTEMPTS"]):
            self.fail("gave_up", why)
            return
        self.save(attempts=attempts, status_note=None if quiet else f"Retrying after: {why}"[:300])
        cap = min(
            float(self.cfg["POSTS_RETRY_BASE"]) * 2**attempts, float(self.cfg["POSTS_RETRY_CAP"])
        )
        self.wait(random.uniform(0, cap), f"retry {attempts} after {why}", retry=True)

    def transfer_url_usable(self, dead: bool = False) -> bool:
        """True while the stored upload URL has more than the safety margin left."""
        expires = self.delivery.transfer_url_expires_at
        margin = dt.timedelta(seconds=float(self.cfg["POSTS_UPLOAD_URL_MARGIN"]))
        if dead or not (self.delivery.transfer_url_enc and expires and self.delivery.chunk_size):
            return False
        return expires - margin > utcnow()

    def save(self, **changes: Any) -> None:
        """Write and commit at once: each step's outcome is durable before the next call.

        Nothing is written once the lease is lost: the new owner reconciles with the platform.
        """
        self.heartbeat.check()
        for key, value in changes.items():
            setattr(self.delivery, key, value)
        self.session.commit()

    def note(self, summary: str, status: str = "ok") -> None:
        """An audit entry for a state change of the delivery (scoped to its post and account)."""
        record(Action.POST_STATUS, summary=f"post {self.parcel.post_id}: {summary}", status=status)
