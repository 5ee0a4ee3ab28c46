"""YouTube's send step: details checked, resumable upload from disk, processing polled.

A run holds the delivery's lease and continues from what the row records:
- no video id, no session (transfer_url_enc)  → check the details, open a resumable session
- no video id, a session                       → ask the session where it stands, send the rest
- a video id (remote_id)                       → poll videos.list until processed, failed or
                                                 rejected

The session URI is a bearer capability: it is kept only vault-wrapped in the row and never
written to logs, notes or the audit log. Every call spends the Google project's daily quota,
counted in the database first (docs/platforms/youtube.md, "Quota (2026)").
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from sqlalchemy.orm import Session

from studio import vault
from studio.db import utcnow
from studio.platforms.backoff import Backoff
from studio.platforms.lease import Heartbeat, LeaseLost
from studio.platforms.models import Delivery, DeliveryStatus
from studio.platforms.sending import Deferred, Parcel, Reason, Run
from studio.platforms.youtube import quota, reasons, rules
from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.connection import get_client
from studio.platforms.youtube.errors import (
    InvalidMetadata,
    PlatformError,
    QuotaExceeded,
    RetryAction,
    UploadLimitExceeded,
    YouTubeError,
    retry_action,
)
from studio.platforms.youtube.quota import QuotaSpent
from studio.platforms.youtube.results import UploadProgress, VideoStatus, video_url
from studio.platforms.youtube.resume import send_video
from studio.platforms.youtube.tokens import REFRESHER, ReconnectNeeded

log = logging.getLogger(__name__)
MISSING_POLLS = 5  # videos.list may lag the insert a moment; then a missing video is gone


class TooManySessions(Exception):
    """Upload sessions expired more often than POSTS_MAX_RESTARTS allows."""


class Sender(Run):
    """Moves one leased YouTube delivery forward until it is terminal or must wait."""

    label = "YouTube"
    held_by = "daily quota"
    # Google's own codes for a revoked grant, a removed permission or a removed channel.
    reconnect_codes = frozenset(
        {
            "reconnect_needed",
            "invalid_grant",
            "insufficientPermissions",
            "youtubeSignupRequired",
            "noChannel",
        }
    )
    tokens = REFRESHER

    def __init__(
        self, session: Session, delivery: Delivery, parcel: Parcel, heartbeat: Heartbeat
    ) -> None:
        super().__init__(session, delivery, parcel, heartbeat)
        self.client: YouTubeClient | None = None
        self.method = "videos.insert"  # the quota the last call spent
        self.refreshed = False

    @classmethod
    def explain(cls, code: str, message: str | None, from_platform: bool) -> Reason:
        """YouTube's failure and rejection reasons, then ours (youtube/reasons.py)."""
        return reasons.explain(code, message, from_platform)

    # Driving -----------------------------------------------------------------------------

    def drive(self) -> None:
        """Run steps until the delivery is terminal; raises Deferred or LeaseLost to stop early."""
        try:
            while True:
                self.heartbeat.check()
                self.session.refresh(self.delivery)
                self.session.commit()  # never hold a transaction across a Google call
                if self.delivery.is_terminal:
                    return
                try:
                    self.step()
                except (PlatformError, ReconnectNeeded, QuotaSpent, TooManySessions) as exc:
                    self.session.rollback()
                    self.recover(exc)
        finally:
            if self.client is not None:
                self.client.close()

    def step(self) -> None:
        """One unit of progress, chosen from the recorded state."""
        if self.delivery.remote_id is None:
            self.upload()
        else:
            self.poll()

    def google(self) -> YouTubeClient:
        """The run's client (one connection pool for every call of the run)."""
        if self.client is None:
            self.client = get_client()
        return self.client

    # Steps -------------------------------------------------------------------------------

    def upload(self) -> None:
        """Check the details, then send the file through the stored or a new session."""
        path = self.parcel.file
        if path is None:
            self.fail("file_missing")
            return
        caption, description = self.parcel.caption, self.parcel.title
        meta = rules.from_options(
            self.delivery.options or {}, caption, description, self.parcel.is_aigc
        )
        broken = rules.problems(meta)
        if broken:
            self.fail("invalid_metadata", " ".join(p.plain for p in broken))
            return
        size = path.stat().st_size
        stored = self.delivery.transfer_url_enc
        uri = vault.unwrap(stored).decode() if stored else None
        chunk = int(self.cfg["YOUTUBE_CHUNK_SIZE"])
        self.save(
            status=DeliveryStatus.UPLOADING if uri else DeliveryStatus.INITIALIZING,
            video_size=size,
            chunk_size=chunk,
            total_chunks=-(-size // chunk),
        )
        backoff = Backoff(
            attempts=int(self.cfg["POSTS_MAX_ATTEMPTS"]),
            base=float(self.cfg["POSTS_RETRY_BASE"]),
            cap=float(self.cfg["POSTS_RETRY_CAP"]),
            sleep=lambda s: self.wait(s, "YouTube had a temporary failure; retrying", retry=True),
        )
        try:
            result = send_video(
                self.google(),
                path,
                size,
                self.parcel.content_type,
                session_uri=uri,
                start_session=lambda: self.open_session(meta, size),
                on_session=self.session_opened,
                progress=self.sent,
                chunk_size=chunk,
                backoff=backoff,
                max_sessions=int(self.cfg["POSTS_MAX_RESTARTS"]) + 1,
            )
        except LeaseLost:
            raise
        except RuntimeError as exc:  # no progress, or sessions kept expiring: start over later
            self.session.rollback()
            self.save(transfer_url_enc=None, bytes_sent=0)
            self.backoff(exc)
            return
        self.uploaded(result)

    def open_session(self, meta: rules.VideoMetadata, size: int) -> str:
        """videos.insert (resumable): one call of the project's upload bucket, then the URI."""
        if self.delivery.transfer_url_enc and self.delivery.restarts >= int(
            self.cfg["POSTS_MAX_RESTARTS"]
        ):
            raise TooManySessions()
        self.spend("videos.insert")
        content_type = self.parcel.content_type
        return self.call(lambda t: self.google().start_upload(t, meta, size, content_type))

    def session_opened(self, uri: str) -> None:
        """Keep the new session (wrapped) before any byte goes to it."""
        again = self.delivery.transfer_url_enc is not None
        self.save(
            transfer_url_enc=vault.wrap(uri),
            bytes_sent=0,
            status=DeliveryStatus.UPLOADING,
            sent_at=self.delivery.sent_at or utcnow(),
            restarts=self.delivery.restarts + (1 if again else 0),
            status_note="YouTube's upload session expired; sending again from the start."
            if again
            else None,
        )
        self.note("YouTube opened a new upload session" if again else "YouTube accepted the upload")

    def sent(self, offset: int) -> None:
        """Google's own count after each answer, recorded before the next chunk."""
        if offset != self.delivery.bytes_sent:
            self.save(bytes_sent=offset, attempts=0)
        else:
            self.heartbeat.check()

    def uploaded(self, result: UploadProgress) -> None:
        """Every byte is at YouTube: keep the video id and link, forget the session."""
        video_id = result.video_id or ""
        short, _why = rules.shorts_verdict(
            self.parcel.width, self.parcel.height, self.parcel.duration_s
        )
        self.save(
            remote_id=video_id,
            remote_url=video_url(video_id, short),
            remote_status=result.upload_status,
            transfer_url_enc=None,
            bytes_sent=self.delivery.video_size,
            uploaded_at=utcnow(),
            status=DeliveryStatus.PROCESSING,
            polls=0,
            attempts=0,
            status_note=None,
        )
        self.note(f"YouTube received the video {video_id}")

    def poll(self) -> None:
        """videos.list until processed, failed or rejected, backing off between polls."""
        delivery = self.delivery
        started = delivery.uploaded_at or utcnow()
        if utcnow() - started > dt.timedelta(seconds=float(self.cfg["POSTS_POLL_DEADLINE"])):
            self.fail("status_timeout")
            return
        self.spend("videos.list")
        video_id = delivery.remote_id or ""
        status: VideoStatus = self.call(lambda t: self.google().video_status(t, video_id))
        self.save(remote_status=status.upload_status)
        if status.ok:
            self.finish(DeliveryStatus.PUBLISHED, [video_id])
            return
        if status.final or (status.upload_status == "missing" and delivery.polls >= MISSING_POLLS):
            code = status.failure_reason or status.rejection_reason or status.upload_status
            self.fail(code, from_platform=True)
            return
        delay = min(
            float(self.cfg["POSTS_POLL_BASE"]) * 2 ** min(delivery.polls, 12),
            float(self.cfg["POSTS_POLL_CAP"]),
        )
        self.save(polls=delivery.polls + 1, status=DeliveryStatus.PROCESSING)
        self.wait(delay, "waiting for YouTube to process the video")

    # Quota -------------------------------------------------------------------------------

    def spend(self, method: str) -> None:
        """Count the call in the project's daily quota first; wait for the reset when empty."""
        self.method = method
        quota.spend(self.session, method)

    def wait_until(self, when: dt.datetime, why: str) -> None:
        """Hold the delivery until `when`, saying why on the post page."""
        note = f"{why} Next try: {when:%Y-%m-%d %H:%M} UTC."
        self.save(status=DeliveryStatus.HELD, status_note=note[:300])
        self.note(f"held until {when:%Y-%m-%d %H:%M} UTC: {why}")
        seconds = max((when - utcnow()).total_seconds(), 1.0) + random.uniform(0, 60)
        raise Deferred(seconds, DeliveryStatus.HELD, note)

    # Failures ----------------------------------------------------------------------------

    def recover(self, exc: BaseException) -> None:
        """React to one failure per YouTube's retry table (errors.retry_action)."""
        if isinstance(exc, QuotaSpent):  # our own count: the day's bucket is spent
            self.wait_until(exc.retry_at, QuotaExceeded.plain)
        elif isinstance(exc, QuotaExceeded):  # Google's: every worker waits for the reset
            self.wait_until(quota.exhausted(self.session, self.method), exc.plain)
        elif isinstance(exc, UploadLimitExceeded):  # the channel's cap, not the project's
            self.wait_until(exc.retry_at(utcnow()), exc.plain)
        elif isinstance(exc, ReconnectNeeded):
            self.fail("reconnect_needed", exc.reason.removeprefix("needs reconnect: "))
            return
        elif isinstance(exc, TooManySessions):
            self.fail("upload_restarts")
            return
        action = retry_action(exc)
        code = getattr(exc, "code", None) or type(exc).__name__
        log.info("post %s: %s → %s", self.parcel.post_id, code, action)
        if action == RetryAction.REFRESH_TOKEN and not self.refreshed:
            self.refreshed = True
            try:
                self.tokens.force_refresh(self.session, self.delivery.account_id)
            except ReconnectNeeded as lost:
                self.session.rollback()
                self.recover(lost)
        elif action in (RetryAction.BACKOFF, RetryAction.REINIT, RetryAction.NEXT_WINDOW):
            if action == RetryAction.REINIT:
                self.save(transfer_url_enc=None, bytes_sent=0)
            self.backoff(exc)
        elif action in (RetryAction.RECONNECT, RetryAction.REFRESH_TOKEN):
            self.fail("reconnect_needed" if action == RetryAction.REFRESH_TOKEN else code)
        elif isinstance(exc, InvalidMetadata):
            self.fail("invalid_metadata", exc.plain)
        else:
            message = getattr(exc, "message", None) or str(exc)
            self.fail(code if isinstance(exc, YouTubeError) else "youtube_error", message)
