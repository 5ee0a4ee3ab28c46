"""What Instagram Reels and Facebook Page Reels share: token, spec check, rupload, retries.

A sender (reels.py, page_reels.py) holds the delivery's lease and continues from its row:
`remote_id` is the container (Instagram) or the video (Facebook), `transfer_url_enc` the
rupload URL (vault-wrapped), `bytes_sent` what Meta reported holding. Every step's outcome is
saved before the next Meta call, and a run that inherits a remote_id asks Meta first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import ClassVar, TypeVar

from sqlalchemy.orm import Session

from studio import vault
from studio.audit import scope
from studio.db import utcnow
from studio.platforms.backoff import Backoff
from studio.platforms.grants import fresh_account
from studio.platforms.lease import Heartbeat
from studio.platforms.meta import errors, rules
from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.connection import get_client
from studio.platforms.meta.errors import (
    InvalidReel,
    MetaError,
    RetryAction,
    TransportError,
)
from studio.platforms.meta.resume import send_file
from studio.platforms.meta.tokens import ReconnectNeeded, token_for
from studio.platforms.models import Delivery, DeliveryStatus
from studio.platforms.sending import Parcel, Reason, Run

log = logging.getLogger(__name__)
T = TypeVar("T")
FAILURES = (MetaError, TransportError, ReconnectNeeded)

# Our own failure codes (Meta's come with their own sentence: errors.GraphError.plain).
REASONS: dict[str, Reason] = {
    "file_missing": Reason("The video file was deleted before it could be sent.", False),
    "reconnect_needed": Reason(
        "Meta no longer accepts this connection (it expired, the app was removed in the "
        "person's Facebook settings, or a permission is missing): reconnect the account.",
        False,
    ),
    "gave_up": Reason("Meta kept failing; the upload stopped after several tries.", True),
    "status_timeout": Reason("Meta did not finish processing the video in time.", True),
    "upload_restarts": Reason("The upload had to start over too many times.", True),
}
NEEDS_NEW_FILE = frozenset({"2207026", "invalid_reel"})  # unsupported format, our spec check


class Tokens:
    """A Meta account's token for a call: a Page's own, an Instagram account's login's."""

    def call_with_token(self, session: Session, account_id: int, fn: Callable[[str], T]) -> T:
        """Call `fn(token)`; a refused token is not retried (the account needs reconnecting)."""
        with scope(account_id=account_id):
            account = fresh_account(session, account_id)
            if account is None:
                raise ReconnectNeeded(account_id, "the account does not exist")
            token = token_for(session, account)
            session.commit()
            return fn(token)


class MetaRun(Run):
    """A Meta delivery: the shared steps; subclasses set `target` and implement `step`."""

    target: ClassVar[rules.Target]
    tokens = Tokens()

    def __init__(
        self, session: Session, delivery: Delivery, parcel: Parcel, heartbeat: Heartbeat
    ) -> None:
        super().__init__(session, delivery, parcel, heartbeat)
        self.client: MetaClient = get_client()
        self.verified = delivery.remote_id is None  # an inherited remote_id is checked first
        self.fresh_url = False  # the rupload URL was made in this run: nothing sent yet

    @classmethod
    def explain(cls, code: str, message: str | None, from_platform: bool) -> Reason:
        """Our codes in words; Meta's with the sentence the error carried."""
        if code in REASONS:
            return REASONS[code]
        # A new file is needed for these: retrying the same one cannot help.
        retryable = from_platform and code.rsplit("/", 1)[-1] not in NEEDS_NEW_FILE
        return Reason(message or f"{cls.label} refused the video ({code}).", retryable)

    def drive(self) -> None:
        """Run steps until the delivery is terminal; raises Deferred or LeaseLost to stop."""
        try:
            while True:
                self.heartbeat.check()
                self.session.refresh(self.delivery)
                self.session.commit()  # never hold a transaction across a Meta call
                if self.delivery.is_terminal:
                    return
                try:
                    self.step()
                except FAILURES as exc:
                    self.session.rollback()
                    self.recover(exc)
        finally:
            self.client.close()

    def step(self) -> None:
        """One unit of progress, chosen from the recorded state."""
        raise NotImplementedError

    # Shared steps ------------------------------------------------------------------------

    def spec_ok(self) -> bool:
        """Meta's Reels spec and caption rules, checked before anything is sent."""
        path = self.parcel.file
        if path is None:
            self.fail("file_missing")
            return False
        parcel = self.parcel
        facts = rules.VideoFacts(
            parcel.width, parcel.height, parcel.duration_s, parcel.fps, path.stat().st_size
        )
        found = rules.problems(self.description, facts, self.target)
        if found:
            self.fail("invalid_reel", found[0].plain)
            return False
        return True

    @property
    def description(self) -> str:
        """The words the Reel goes out with: the caption, then the hashtags."""
        return self.parcel.title

    def created(self, remote_id: str, upload_url: str | None, status: DeliveryStatus) -> None:
        """Stored the moment Meta answers: a later run continues from this id."""
        self.save(
            remote_id=remote_id,
            transfer_url_enc=vault.wrap(upload_url) if upload_url else None,
            status=status,
            attempts=0,
            polls=0,
        )
        self.verified, self.fresh_url = True, upload_url is not None

    def upload(self, then: DeliveryStatus) -> None:
        """rupload from disk, resuming from the offset Meta reports; then `then`."""
        delivery, path = self.delivery, self.parcel.file
        if path is None:
            self.fail("file_missing")
            return
        if not delivery.transfer_url_enc:
            self.restart("the upload link was lost")
            return
        uri = vault.unwrap(delivery.transfer_url_enc).decode()
        size, ask = delivery.video_size, not self.fresh_url
        backoff = Backoff(
            attempts=int(self.cfg["POSTS_MAX_ATTEMPTS"]),
            base=float(self.cfg["POSTS_RETRY_BASE"]),
            cap=float(self.cfg["POSTS_RETRY_CAP"]),
            sleep=lambda seconds: self.wait(seconds, "Meta's upload server failed; retrying"),
        )
        self.fresh_url = False  # whatever happens now, ask Meta before sending again
        self.call(
            lambda token: send_file(
                self.client, uri, token, path, size,
                progress=self.progressed, backoff=backoff, ask_first=ask,
            )
        )  # fmt: skip
        self.save(
            status=then,
            bytes_sent=size,
            uploaded_at=delivery.uploaded_at or utcnow(),
            transfer_url_enc=None,
            polls=0,
            attempts=0,
        )
        self.note(f"{self.label} holds all {size} bytes")

    def progressed(self, offset: int) -> None:
        """Meta holds `offset` bytes (what it reported, or the whole file once sent)."""
        if offset != self.delivery.bytes_sent:
            self.save(bytes_sent=offset, remote_bytes=offset)

    def poll_wait(self, why: str) -> None:
        """Wait before the next status read (backing off), or give up past the deadline."""
        delivery = self.delivery
        started = delivery.uploaded_at or delivery.created_at or utcnow()
        if utcnow() - started > dt.timedelta(seconds=float(self.cfg["POSTS_POLL_DEADLINE"])):
            self.fail("status_timeout")
            return
        delay = min(
            float(self.cfg["POSTS_POLL_BASE"]) * 2 ** min(delivery.polls, 12),
            float(self.cfg["POSTS_POLL_CAP"]),
        )
        self.save(polls=delivery.polls + 1)
        self.wait(delay, why)

    def restart(self, why: str) -> None:
        """Forget the container or video and start again (bounded)."""
        forget = {"remote_bytes": None, "remote_status": None, "sent_at": None}
        if self.start_over(why, **forget):
            self.verified, self.fresh_url = True, False

    # Failures ----------------------------------------------------------------------------

    def recover(self, exc: BaseException) -> None:
        """React to one failure per Meta's single retry table (errors.retry_action)."""
        self.verified = False  # the outcome of the failed call is unknown: ask Meta first
        if isinstance(exc, ReconnectNeeded):
            self.fail("reconnect_needed")
            return
        action = errors.retry_action(exc)
        code = getattr(exc, "code", None) or type(exc).__name__
        log.info("post %s: %s %s → %s", self.parcel.post_id, self.label, code, action)
        if action == RetryAction.BACKOFF:
            self.backoff(exc)
        elif action == RetryAction.NEXT_WINDOW:
            now = utcnow()
            until = errors.retry_at(exc, now) or now + dt.timedelta(minutes=10)
            self.save(status_note=plain(exc))
            self.wait((until - now).total_seconds(), plain(exc), retry=True)
        elif action == RetryAction.REINIT:
            self.restart(plain(exc).rstrip("."))
        elif action == RetryAction.RECONNECT:
            self.fail("reconnect_needed")
        elif isinstance(exc, InvalidReel):
            self.fail("invalid_reel", exc.plain)
        else:
            self.fail(str(code), plain(exc), from_platform=isinstance(exc, MetaError))

    def describe(self, exc: BaseException) -> str:
        """Meta's message in plain words, or ours."""
        return plain(exc)


def plain(exc: BaseException) -> str:
    """The failure in words staff read (never a token: Meta's message or ours)."""
    if isinstance(exc, MetaError):
        return str(exc.plain)
    if isinstance(exc, TransportError):
        return "the connection to Meta failed"
    return str(exc)
