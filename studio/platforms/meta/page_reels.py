"""Facebook Page Reels: upload_phase=start → rupload → finish (PUBLISHED) → the video's phases.

A run continues from what the row records:
- no remote_id (video id)   → the Reels spec, then upload_phase=start
- bytes not all at Meta     → rupload from the offset Meta reports, streamed from disk
- finish not answered       → upload_phase=finish with video_state=PUBLISHED and the
                              description (after the Page's 30-in-24-h check); a run that did
                              not see finish answer reads the video's status first, so finish
                              is never sent twice
- finished (sent_at)        → poll the video's status through its phases until published
docs/platforms/meta.md, Facebook Page Reels.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from studio.db import utcnow
from studio.platforms.meta.publishing import MetaRun
from studio.platforms.meta.results import PageReelStatus
from studio.platforms.models import Delivery, DeliveryStatus

FINISHED = (DeliveryStatus.PROCESSING, DeliveryStatus.PUBLISHED)


class Sender(MetaRun):
    """Moves one leased Facebook Page delivery forward until it is terminal or must wait."""

    label = "Facebook"
    held_by = "limit of 30 Reels a day"
    target = "facebook"

    @property
    def page_id(self) -> str:
        """The `{page-id}` of every call: the account's remote id."""
        return self.delivery.account.remote_id

    def step(self) -> None:
        """One unit of progress, chosen from the recorded state."""
        delivery = self.delivery  # its status may read HELD or WAITING_RETRY: go by the facts
        if delivery.remote_id is None:
            self.start()
        elif delivery.uploaded_at is None:
            self.upload(DeliveryStatus.UPLOADED)
        elif delivery.sent_at is None:  # finish not yet answered
            self.finish_upload()
        else:
            self.poll()

    def start(self) -> None:
        """upload_phase=start: the video id and its rupload URL."""
        if not self.spec_ok():
            return
        size = self.parcel.file.stat().st_size if self.parcel.file else 0
        self.save(
            status=DeliveryStatus.INITIALIZING, video_size=size, bytes_sent=0, status_note=None
        )
        upload = self.call(lambda token: self.client.start_page_reel(token, self.page_id))
        self.created(upload.video_id, upload.upload_url, DeliveryStatus.UPLOADING)
        self.note("Facebook made a Page Reel and takes the upload")

    def finish_upload(self) -> None:
        """upload_phase=finish with video_state=PUBLISHED, once."""
        if not self.verified:
            status = self.status()
            if status.processing not in ("", "not_started") or status.failed:
                # finish took effect (its answer was lost)
                self.save(status=DeliveryStatus.PROCESSING, sent_at=utcnow(), polls=0)
                return
        used = self.published_today()
        limit = int(self.cfg["META_PAGE_REELS_PER_DAY"])
        if used >= limit:
            self.hold(
                f"publishing limit reached, {used} of {limit} Reels went to this Page in the "
                "last 24 hours; it goes out when one leaves that window"
            )
        video_id = self.delivery.remote_id or ""
        self.verified = False  # if the answer is lost, the status tells whether it arrived
        self.call(
            lambda token: self.client.finish_page_reel(
                token, self.page_id, video_id, self.description
            )
        )
        self.verified = True
        self.save(status=DeliveryStatus.PROCESSING, sent_at=utcnow(), polls=0, status_note=None)
        left = max(limit - used - 1, 0)
        self.note(f"Facebook publishes the Reel; {left} of {limit} left for this Page today")

    def published_today(self) -> int:
        """This Page's Reels finished by this app in the last 24 hours (our own count)."""
        since = utcnow() - dt.timedelta(hours=24)
        count = self.session.scalar(
            select(func.count(Delivery.id)).where(
                Delivery.account_id == self.delivery.account_id,
                Delivery.id != self.delivery.id,
                Delivery.status.in_([s.value for s in FINISHED]),
                Delivery.sent_at > since,
            )
        )
        self.session.commit()
        return int(count or 0)

    def poll(self) -> None:
        """The video's phases until it is published, or Meta gives up on it."""
        status = self.status()
        if status.failed:
            self.fail("processing_failed", status.plain, from_platform=True)
        elif status.published:
            self.finish(DeliveryStatus.PUBLISHED, [status.video_id])
        else:
            self.poll_wait(status.plain)

    def status(self) -> PageReelStatus:
        """GET the video's status (a read: 100/33 here is transient); recorded."""
        video_id = self.delivery.remote_id or ""
        status = self.call(lambda token: self.client.page_reel_status(token, video_id))
        self.save(remote_status=status.phase, remote_bytes=status.bytes_transferred)
        self.verified = True
        return status
