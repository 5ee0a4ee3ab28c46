"""Instagram Reels: container → rupload (or video_url) → FINISHED → publishing limit → publish.

A run continues from what the row records:
- no remote_id (container id)      → the Reels spec, then a REELS container
- bytes not all at Meta           → rupload from the offset Meta reports, streamed from disk
- otherwise                        → read status_code: IN_PROGRESS waits, FINISHED publishes
  (after reading content_publishing_limit), PUBLISHED finishes, ERROR / EXPIRED start again
  or fail. A publish only ever follows a status read of FINISHED in the same step, so a
  publish whose answer was lost is found PUBLISHED, never sent twice.
docs/platforms/meta.md, Instagram Reels: containers.
"""

from __future__ import annotations

from studio.db import utcnow
from studio.platforms.meta import errors
from studio.platforms.meta.errors import AlreadyUsed, RetryAction
from studio.platforms.meta.publishing import MetaRun
from studio.platforms.meta.results import ContainerStatus
from studio.platforms.models import DeliveryStatus, Source


class Sender(MetaRun):
    """Moves one leased Instagram delivery forward until it is terminal or must wait."""

    label = "Instagram"
    held_by = "publishing limit"
    target = "instagram"

    @property
    def ig_user_id(self) -> str:
        """The `{ig-user-id}` of every call: the account's remote id."""
        return self.delivery.account.remote_id

    def step(self) -> None:
        """One unit of progress, chosen from the recorded state."""
        delivery = self.delivery
        if delivery.remote_id is None:
            self.create()
        elif delivery.uploaded_at is None and delivery.source == Source.FILE_UPLOAD:
            self.upload(DeliveryStatus.PROCESSING)
        else:
            self.advance()

    def create(self) -> None:
        """A REELS container: resumable, or pulling our signed media URL."""
        if not self.spec_ok():
            return
        delivery, parcel = self.delivery, self.parcel
        pull = delivery.source == Source.PULL_FROM_URL and parcel.pull_url
        size = parcel.file.stat().st_size if parcel.file else 0
        self.save(
            status=DeliveryStatus.INITIALIZING, video_size=size, bytes_sent=0, status_note=None
        )
        share = bool((delivery.options or {}).get("share_to_feed", True))
        container = self.call(
            lambda token: self.client.create_reel_container(
                token, self.ig_user_id, self.description, share, parcel.is_aigc,
                video_url=parcel.pull_url if pull else None,
            )
        )  # fmt: skip
        status = DeliveryStatus.PROCESSING if pull else DeliveryStatus.UPLOADING
        self.created(container.id, container.upload_uri, status)
        self.save(sent_at=utcnow())  # the container's 24 hours start here
        how = "downloads the video from this server" if pull else "takes the upload"
        self.note(f"Instagram made a Reels container and {how}")

    def advance(self) -> None:
        """Read the container's status and act on it (the only way to a publish)."""
        status = self.status()
        code = status.status_code
        if code == "PUBLISHED":
            self.finish(DeliveryStatus.PUBLISHED, [])
        elif code == "FINISHED":
            self.publish()
        elif code == "IN_PROGRESS":
            if self.delivery.status != DeliveryStatus.PROCESSING:
                self.save(status=DeliveryStatus.PROCESSING)
            self.poll_wait("waiting for Instagram to process the video")
        else:  # ERROR or EXPIRED
            exc = errors.container_failure(code, status.error_subcode, status.status)
            if errors.retry_action(exc) != RetryAction.TERMINAL:  # a new container may work
                self.restart(status.plain.rstrip("."))
            else:
                self.fail(exc.code, status.plain, from_platform=True)

    def status(self) -> ContainerStatus:
        """GET status_code (a read: 100/33 here is transient); recorded."""
        container_id = self.delivery.remote_id or ""
        status = self.call(lambda token: self.client.container_status(token, container_id))
        self.save(remote_status=status.status_code)
        self.verified = True
        return status

    def publish(self) -> None:
        """Read what is left of the publishing limit, then media_publish (once)."""
        limit = self.call(
            lambda token: self.client.publishing_limit(token, self.ig_user_id)
        )  # fmt: skip
        hours = limit.duration / 3600
        left = f"{limit.left} of {limit.quota} Reels left in Instagram's {hours:g}-hour window"
        if limit.left <= 0:
            self.hold(
                f"publishing limit reached, {limit.used} of {limit.quota} Reels published in "
                f"the last {hours:g} hours; it goes out when one leaves that window"
            )
        self.save(status_note=left.capitalize() + ".")
        self.note(left)
        container_id = self.delivery.remote_id or ""
        try:
            media_id = self.call(
                lambda token: self.client.publish_container(token, self.ig_user_id, container_id)
            )
        except AlreadyUsed:
            # Already used: the status says whether it went out (it is never sent again).
            self.session.rollback()
            status = self.status()
            if status.status_code != "PUBLISHED":
                raise
            media_id = None
        self.finish(DeliveryStatus.PUBLISHED, [media_id] if media_id else [])
