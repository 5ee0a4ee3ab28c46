"""TikTok's send step: init, chunked upload, status polling, retries.

A run holds the delivery's lease and continues from what the row records:
- no remote_id (publish_id)            → init (after the draft-limit check)
- remote_id from an earlier run        → status/fetch first: finished? resume? re-init?
- FILE_UPLOAD bytes still missing      → PUT the next chunk (streamed from disk)
- otherwise                            → poll status/fetch with backoff until terminal

Every TikTok call is audited against the post and account (the posts room scopes the run).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from studio import vault
from studio.db import utcnow
from studio.platforms.lease import Heartbeat
from studio.platforms.models import Delivery, DeliveryStatus, Mode, Source
from studio.platforms.sending import Parcel, Reason, Run
from studio.platforms.tiktok import restrictions
from studio.platforms.tiktok import services as tiktok
from studio.platforms.tiktok.chunks import ChunkPlan, plan_chunks
from studio.platforms.tiktok.errors import (
    PlatformError,
    PublishIdError,
    ReconnectNeeded,
    RetryAction,
    SpamRisk,
    TikTokError,
    TooManyPendingShares,
    TransportError,
    UploadRejected,
    retry_action,
)
from studio.platforms.tiktok.queries import pending_drafts
from studio.platforms.tiktok.reasons import FAIL_REASONS, explain
from studio.platforms.tiktok.tokens import REFRESHER

log = logging.getLogger(__name__)
PROCESSING = ("PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD")


class Sender(Run):
    """Moves one leased TikTok delivery forward until it is terminal or must wait."""

    label = "TikTok"
    held_by = "draft limit"
    tokens = REFRESHER

    def __init__(
        self, session: Session, delivery: Delivery, parcel: Parcel, heartbeat: Heartbeat
    ) -> None:
        super().__init__(session, delivery, parcel, heartbeat)
        self.verified = delivery.remote_id is None  # an inherited publish_id is checked first
        self.url_dead = False  # TikTok answered 403/404 for the upload_url
        self.refreshed = False

    def url_usable(self) -> bool:
        """The upload_url is stored, alive by its clock, and TikTok has not refused it."""
        return self.transfer_url_usable(dead=self.url_dead)

    @classmethod
    def explain(cls, code: str, message: str | None, from_platform: bool) -> Reason:
        """TikTok's fail_reason values first when TikTok named them, then our request errors."""
        reason = FAIL_REASONS.get(code) if from_platform else None
        return reason or explain(code, message)

    # Driving -----------------------------------------------------------------------------

    def drive(self) -> None:
        """Run steps until the delivery is terminal; raises Deferred or LeaseLost to stop early."""
        while True:
            self.heartbeat.check()
            self.session.refresh(self.delivery)
            self.session.commit()  # never hold a transaction across a TikTok call
            if self.delivery.is_terminal:
                return
            try:
                self.step()
            except (PlatformError, ReconnectNeeded) as exc:
                self.session.rollback()
                self.recover(exc)

    def step(self) -> None:
        """One unit of progress, chosen from the recorded state."""
        delivery = self.delivery
        if delivery.remote_id is None:
            self.start()
        elif not self.verified:
            self.check()
        elif delivery.source == Source.FILE_UPLOAD and delivery.bytes_sent < delivery.video_size:
            self.upload_next_chunk()
        else:
            self.poll()

    # Steps -------------------------------------------------------------------------------

    def start(self) -> None:
        """Init at TikTok (inbox or direct, FILE_UPLOAD or PULL_FROM_URL)."""
        delivery = self.delivery
        path = self.parcel.file
        if path is None:
            self.fail("file_missing")
            return
        size = path.stat().st_size
        refused = restrictions.refusal(self.parcel.video(size))
        if refused:  # the last guard: prepare refuses such a video for TikTok already
            self.fail("invalid_video", refused)
            return
        if delivery.mode == Mode.DRAFT:
            self.respect_draft_limit()
        self.take_budget("init", int(self.cfg["POSTS_INIT_PER_MINUTE"]))
        source_info, plan = self.source_info(size)
        self.save(
            status=DeliveryStatus.INITIALIZING,
            video_size=size,
            chunk_size=plan.chunk_size if plan else 0,
            total_chunks=plan.total_chunk_count if plan else 0,
            next_chunk=0,
            bytes_sent=0,
            remote_status=None,
            remote_bytes=None,
            status_note=None,
        )
        if delivery.mode == Mode.DIRECT:
            info = dict(delivery.options or {})
            result = self.call(
                lambda t: tiktok.get_client().init_direct_video(t, info, source_info)
            )
        else:
            result = self.call(lambda t: tiktok.get_client().init_inbox_video(t, source_info))
        # Stored the moment init answers: from now on a retry continues from this publish_id.
        ttl = float(self.cfg["POSTS_UPLOAD_URL_TTL"])
        self.save(
            remote_id=result.publish_id,
            transfer_url_enc=vault.wrap(result.upload_url) if result.upload_url else None,
            transfer_url_expires_at=utcnow() + dt.timedelta(seconds=ttl)
            if result.upload_url
            else None,
            status=DeliveryStatus.UPLOADING if plan else DeliveryStatus.PROCESSING,
            sent_at=utcnow(),
            attempts=0,
            polls=0,
        )
        self.verified = True
        self.note(f"TikTok accepted the {delivery.mode} upload")

    def source_info(self, size: int) -> tuple[dict[str, Any], Any]:
        """FILE_UPLOAD with a chunk plan, or PULL_FROM_URL from our signed media URL."""
        if self.delivery.source == Source.PULL_FROM_URL:
            url = self.parcel.pull_url or ""
            return {"source": "PULL_FROM_URL", "video_url": url}, None
        plan = plan_chunks(size)
        info = {
            "source": "FILE_UPLOAD",
            "video_size": plan.video_size,
            "chunk_size": plan.chunk_size,
            "total_chunk_count": plan.total_chunk_count,
        }
        return info, plan

    def check(self) -> None:
        """Status first: an inherited publish_id may be finished, resumable, or lost."""
        try:
            status = self.fetch_status()
        except PublishIdError:
            # TikTok does not know this publish: nothing was sent, so a fresh init is safe.
            self.restart("TikTok no longer knows the earlier upload")
            return
        if self.apply(status):
            return
        delivery = self.delivery
        if status.status == "PROCESSING_UPLOAD" and delivery.source == Source.FILE_UPLOAD:
            done = status.uploaded_bytes or 0
            if done >= delivery.video_size:
                self.uploaded()
            elif (
                self.url_usable() and done % delivery.chunk_size == 0 and done < delivery.video_size
            ):
                self.save(next_chunk=done // delivery.chunk_size, bytes_sent=done)
            else:
                self.cancel_abandoned()
                self.restart("the upload link expired before the upload finished")
                return
        self.verified = True

    def cancel_abandoned(self) -> None:
        """Best effort: cancel the half-sent publish so it stops counting as a pending draft."""
        publish_id = self.delivery.remote_id or ""
        try:
            self.take_budget("cancel", int(self.cfg["POSTS_STATUS_PER_MINUTE"]))
            self.call(lambda t: tiktok.get_client().cancel(t, publish_id))
        except (PlatformError, ReconnectNeeded) as exc:
            self.session.rollback()
            log.info("post %s: could not cancel %s (%s)", self.parcel.post_id, publish_id, exc)

    def upload_next_chunk(self) -> None:
        """PUT chunk `next_chunk` straight from disk; record bytes_sent once TikTok has it."""
        delivery = self.delivery
        if not self.url_usable():
            raise UploadRejected(403, "upload_url expired (checked before sending)")
        path = self.parcel.file
        if path is None:
            self.fail("file_missing")
            return
        plan = ChunkPlan(delivery.video_size, delivery.chunk_size, delivery.total_chunks)
        index = delivery.next_chunk
        first = index * plan.chunk_size
        last = first + plan.chunk_length(index) - 1
        url = vault.unwrap(delivery.transfer_url_enc or "").decode()
        try:
            result = tiktok.get_client().upload_chunk(
                url, path, first, last, delivery.video_size, self.parcel.content_type
            )
        except TransportError:
            # The outcome is unknown (TikTok may have the chunk): ask status/fetch how many
            # bytes arrived before sending anything again, above all after the last chunk.
            self.verified = False
            raise
        changes: dict[str, Any] = {"next_chunk": index + 1, "bytes_sent": last + 1, "attempts": 0}
        if result.complete or index + 1 >= plan.total_chunk_count:
            changes["bytes_sent"] = delivery.video_size
        self.save(**changes)
        if delivery.bytes_sent >= delivery.video_size:
            self.uploaded()

    def uploaded(self) -> None:
        """Every byte is at TikTok: from here on, only status polling (never a re-send)."""
        self.save(
            status=DeliveryStatus.PROCESSING,
            bytes_sent=self.delivery.video_size,
            next_chunk=self.delivery.total_chunks,
            uploaded_at=self.delivery.uploaded_at or utcnow(),
            transfer_url_enc=None,
            polls=0,
        )

    def poll(self) -> None:
        """status/fetch until a terminal answer, backing off between polls."""
        delivery = self.delivery
        started = delivery.uploaded_at or delivery.sent_at or utcnow()
        if utcnow() - started > dt.timedelta(seconds=float(self.cfg["POSTS_POLL_DEADLINE"])):
            self.fail("status_timeout")
            return
        status = self.fetch_status()
        if self.apply(status):
            return
        if delivery.status != DeliveryStatus.PROCESSING:
            self.save(status=DeliveryStatus.PROCESSING)
        delay = min(
            float(self.cfg["POSTS_POLL_BASE"]) * 2 ** min(delivery.polls, 12),
            float(self.cfg["POSTS_POLL_CAP"]),
        )
        self.save(polls=delivery.polls + 1)
        self.wait(delay, "waiting for TikTok to process the video")

    # TikTok answers ----------------------------------------------------------------------

    def fetch_status(self) -> Any:
        """status/fetch within the account's budget; progress is recorded."""
        self.take_budget("status", int(self.cfg["POSTS_STATUS_PER_MINUTE"]))
        publish_id = self.delivery.remote_id or ""
        status = self.call(lambda t: tiktok.get_client().fetch_status(t, publish_id))
        progress = (
            status.downloaded_bytes
            if self.delivery.source == Source.PULL_FROM_URL
            else status.uploaded_bytes
        )
        self.save(remote_status=status.status, remote_bytes=progress)
        return status

    def apply(self, status: Any) -> bool:
        """Record a terminal TikTok status; True when the delivery is finished."""
        if status.status == "FAILED":
            self.fail(status.fail_reason or "internal", from_platform=True)
        elif status.status == "SEND_TO_USER_INBOX":
            self.finish(DeliveryStatus.IN_INBOX, status.post_ids)
        elif status.status == "PUBLISH_COMPLETE":
            self.finish(DeliveryStatus.PUBLISHED, status.post_ids)
        else:
            if status.status in PROCESSING and self.delivery.status == DeliveryStatus.UPLOADED:
                self.save(status=DeliveryStatus.PROCESSING)
            return False
        return True

    def restart(self, why: str) -> None:
        """Forget the old publish and init again (bounded, so a bad loop cannot spin)."""
        if self.start_over(why, transfer_url_expires_at=None, next_chunk=0):
            self.verified, self.url_dead = True, False

    # Failures ----------------------------------------------------------------------------

    def recover(self, exc: BaseException) -> None:
        """React to one failure per the single classification table (retry_action)."""
        if isinstance(exc, TooManyPendingShares):
            self.hold("TikTok says the account already has 5 pending drafts")
        action = retry_action(exc)
        code = getattr(exc, "code", None) or type(exc).__name__
        log.info("post %s: %s → %s", self.parcel.post_id, code, action)
        if action == RetryAction.REINIT:
            self.verified = False  # the status check decides: resume, finished, or re-init
            if isinstance(exc, UploadRejected) and exc.status_code in (403, 404):
                self.url_dead = True
            self.backoff(exc, quiet=isinstance(exc, UploadRejected) and exc.status_code == 416)
        elif action == RetryAction.BACKOFF:
            self.backoff(exc)
        elif action == RetryAction.NEXT_WINDOW:
            window = float(self.cfg["POSTS_RATE_WINDOW"])
            self.wait(window, "TikTok's rate limit: waiting for the next minute")
        elif action == RetryAction.REFRESH_TOKEN and not self.refreshed:
            self.refreshed = True
            try:
                self.tokens.force_refresh(self.session, self.delivery.account_id)
            except ReconnectNeeded:
                self.session.rollback()
                self.fail("reconnect_needed")
        elif action in (RetryAction.RECONNECT, RetryAction.REFRESH_TOKEN):
            self.fail("reconnect_needed")
        elif isinstance(exc, SpamRisk) and code in ("spam_risk_too_many_posts",):
            self.fail(code)
        else:
            message = getattr(exc, "message", None) or str(exc)
            self.fail(code if isinstance(exc, TikTokError) else "invalid_param", message)

    def respect_draft_limit(self) -> None:
        """Hold when our own count says the account has 5 pending drafts in 24 h."""
        limit = int(self.cfg["POSTS_PENDING_DRAFT_LIMIT"])
        if pending_drafts(self.session, self.delivery.account_id) >= limit:
            self.session.commit()
            self.hold(f"{limit} drafts sent in the last 24 hours are still pending")
        self.session.commit()
