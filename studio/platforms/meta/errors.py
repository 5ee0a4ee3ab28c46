"""Meta failures as typed exceptions with plain words for staff, and the one retry table.

Branch on Graph's `code` / `error_subcode`, never on the text (docs/platforms/meta.md, Errors).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from studio.platforms.meta.results import Usage
from studio.platforms.retry import RetryAction
from studio.transport import PlatformError, TransportError

__all__ = ["PlatformError", "RetryAction", "TransportError"]  # shared names, re-exported

# Platform rate limits (4, 17, 32, 613) carry no time to wait; Meta counts them over a rolling
# hour. Without `estimated_time_to_regain_access` the caller waits this long (unverified).
DEFAULT_REGAIN = timedelta(minutes=10)
# A publishing limit frees up as the oldest publish of the rolling 24 h leaves the window;
# the caller reads content_publishing_limit again after this.
LIMIT_RECHECK = timedelta(hours=1)


class MetaError(PlatformError):
    """Base of Meta's own failures; `plain` is the sentence staff read, `code` Meta's code."""

    code: str = "meta_error"
    plain: str = "Meta refused the request."


class GraphError(MetaError):
    """A Graph failure `{"error": {message, type, code, error_subcode, fbtrace_id, …}}`."""

    def __init__(
        self,
        graph_code: int,
        message: str = "",
        http_status: int | None = None,
        *,
        subcode: int | None = None,
        kind: str = "",
        fbtrace_id: str | None = None,
        transient: bool = False,
        usage: Usage | None = None,
    ) -> None:
        label = f"{graph_code}/{subcode}" if subcode is not None else str(graph_code)
        super().__init__(label, message, http_status, log_id=fbtrace_id)
        self.graph_code = graph_code
        self.subcode = subcode
        self.kind = kind
        self.transient = transient
        self.usage = usage

    @property
    def plain(self) -> str:  # type: ignore[override]
        """Meta's own message, for failures without a sentence of ours."""
        reason = self.message.rstrip(". ") or "no reason given"
        return f"Meta refused the request ({self.code}): {reason}."


class TokenInvalid(GraphError):
    """190 (463 expired, 458 app removed, 460 password changed …): the grant is gone."""

    plain = (
        "Meta no longer accepts this connection (it expired, or the app was removed in the "
        "person's Facebook settings): reconnect the account."
    )


class PermissionMissing(GraphError):
    """10 or 200–299: a permission was not granted, or the person lost the task on the Page."""

    plain = (
        "The Meta connection lacks a permission or the person can no longer create content "
        "on this Page: reconnect and grant every requested permission."
    )


class RateLimited(GraphError):
    """4, 17, 32, 613, 80001–80009: an app, user, Page or business-use-case limit."""

    plain = "Meta asked the app to slow down; sending resumes when its rate limit window reopens."

    def retry_at(self, now: datetime) -> datetime:
        """When access is back: Meta's estimate (minutes), else DEFAULT_REGAIN."""
        minutes = self.usage.regain_minutes if self.usage is not None else 0
        return now + (timedelta(minutes=minutes) if minutes > 0 else DEFAULT_REGAIN)


class Transient(GraphError):
    """1, 2, `is_transient`, 5xx, and 100/33 on a read: Meta's side failed for now."""

    plain = "Meta had a temporary failure; the call is retried shortly."


class NotVisible(GraphError):
    """100/33 on a write: the object does not exist or the token cannot see it."""

    plain = "Meta says the Page, account or media does not exist or is not visible to this login."


class NotReady(GraphError):
    """9007 / 2207027: publishing before the container is FINISHED."""

    plain = "Instagram has not finished processing the video; its status is checked again."


class DownloadTimeout(GraphError):
    """2207003: Meta timed out downloading `video_url` (Meta's text does not name the file)."""

    plain = (
        "Instagram timed out downloading the video from this app's public media link; the "
        "upload is tried again."
    )


class ContainerExpired(GraphError):
    """2207020, or status EXPIRED: not published within 24 hours; make a new container."""

    plain = "Instagram's upload expired (24 hours without publishing); the upload starts again."


class UploadFailed(GraphError):
    """-1 / 2207053 (unknown upload error), 6000 (Page Reel upload problem): upload anew."""

    plain = "Meta could not process the upload; the upload starts again from the beginning."


class UnsupportedVideo(GraphError):
    """2207026: Meta cannot use the video's format; a new file is needed."""

    plain = (
        "Meta cannot use this video's format (container, codec, size or length). Export it "
        "again as MP4 (H.264, AAC) within the Reels limits."
    )


class PublishLimit(GraphError):
    """9 / 2207042 (Instagram) or 9 at finish (30 Page Reels in 24 h): wait for the window."""

    plain = (
        "This account reached Meta's limit of API-published Reels in 24 hours; sending "
        "resumes when the oldest one leaves the 24-hour window."
    )

    def retry_at(self, now: datetime) -> datetime:
        """When to read the publishing limit again."""
        return now + LIMIT_RECHECK


class AlreadyUsed(GraphError):
    """24 / 2207008: the container is unknown or was already published (never publish twice)."""

    plain = (
        "Instagram no longer accepts this upload for publishing; if its status reads "
        "PUBLISHED, the Reel is already live and is not sent again."
    )


class NotReels(GraphError):
    """2207023 / 2207089: only `media_type=REELS` publishes a standalone video."""

    plain = "Instagram refused the media type; videos are published as Reels."


class LoginError(GraphError):
    """A failure of `oauth/access_token` (code used or expired, redirect URI mismatch …)."""

    plain = "Meta refused the sign-in (the login expired or was already used): connect again."


class RuploadError(MetaError):
    """A rupload failure `{"debug_info": {retriable, type, message}}`."""

    plain = "Meta's upload server refused the video bytes."

    def __init__(
        self, kind: str, message: str = "", http_status: int | None = None, retriable: bool = False
    ) -> None:
        super().__init__(kind, message, http_status)
        self.kind = kind
        self.retriable = retriable


class InvalidReel(MetaError):
    """A rule of ours broken before sending (Reels spec, caption); `rule` names it."""

    code = "invalid_reel"

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(rule, message)
        self.code = "invalid_reel"  # the text names the rule; the code stays ours
        self.rule = rule

    @property
    def plain(self) -> str:  # type: ignore[override]
        """The rule and what is wrong."""
        return f"Meta will not accept the {self.rule}: {self.message}"


RATE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80010)})
_BY_SUBCODE: dict[int, type[GraphError]] = {
    2207027: NotReady,
    2207003: DownloadTimeout,
    2207020: ContainerExpired,
    2207053: UploadFailed,
    2207026: UnsupportedVideo,
    2207042: PublishLimit,
    2207008: AlreadyUsed,
    2207023: NotReels,
    2207089: NotReels,
}
_BY_CODE: dict[int, type[GraphError]] = {
    190: TokenInvalid,
    102: TokenInvalid,
    10: PermissionMissing,
    9007: NotReady,
    9: PublishLimit,
    24: AlreadyUsed,
    6000: UploadFailed,
    1: Transient,
    2: Transient,
}


def graph_error(
    graph_code: int,
    message: str = "",
    http_status: int | None = None,
    *,
    subcode: int | None = None,
    read: bool = False,
    transient: bool = False,
    kind: str = "",
    fbtrace_id: str | None = None,
    usage: Usage | None = None,
) -> GraphError:
    """The typed exception for a Graph error (`read`: the call was a GET)."""
    cls = _BY_SUBCODE.get(subcode or 0) or _BY_CODE.get(graph_code)
    if cls is None:
        if graph_code in RATE_CODES:
            cls = RateLimited
        elif 200 <= graph_code < 300:
            cls = PermissionMissing
        elif graph_code == 100 and subcode == 33:
            cls = Transient if read else NotVisible
        elif transient or (http_status or 0) >= 500:
            cls = Transient
        else:
            cls = GraphError
    return cls(
        graph_code,
        message,
        http_status,
        subcode=subcode,
        kind=kind,
        fbtrace_id=fbtrace_id,
        transient=transient,
        usage=usage,
    )


def container_failure(status_code: str, subcode: int | None, text: str = "") -> GraphError:
    """The error a container's ERROR or EXPIRED status stands for (its subcode from `status`)."""
    if status_code == "EXPIRED":
        return ContainerExpired(-2, "the container expired", subcode=2207020)
    return graph_error(-1, text or "the container failed", subcode=subcode or 2207053)


_ACTIONS: tuple[tuple[type[BaseException], RetryAction], ...] = (
    (TransportError, RetryAction.BACKOFF),
    (InvalidReel, RetryAction.TERMINAL),
    (RateLimited, RetryAction.NEXT_WINDOW),
    (PublishLimit, RetryAction.NEXT_WINDOW),
    (TokenInvalid, RetryAction.RECONNECT),
    (PermissionMissing, RetryAction.RECONNECT),
    (Transient, RetryAction.BACKOFF),
    (NotReady, RetryAction.BACKOFF),
    (DownloadTimeout, RetryAction.BACKOFF),
    (ContainerExpired, RetryAction.REINIT),
    (UploadFailed, RetryAction.REINIT),
)
_RUPLOAD_REINIT = {"NotFoundError", "ExpiredError"}
_RUPLOAD_BACKOFF = {"OffsetInvalidError", "ConflictError"}


def retry_action(exc: BaseException) -> RetryAction:
    """Classify a failure (Meta's single retry table; see RELIABILITY.md)."""
    for cls, action in _ACTIONS:
        if isinstance(exc, cls):
            return action
    if isinstance(exc, LoginError):
        if exc.transient or (exc.http_status or 0) >= 500:
            return RetryAction.BACKOFF
        # 1 and 101: the app's own id or secret is wrong; a new login cannot fix that
        return RetryAction.TERMINAL if exc.graph_code in (1, 101) else RetryAction.RECONNECT
    if isinstance(exc, GraphError) and exc.transient:
        return RetryAction.BACKOFF
    if isinstance(exc, RuploadError):
        if exc.kind in _RUPLOAD_REINIT:
            return RetryAction.REINIT
        if exc.http_status == 401:
            return RetryAction.RECONNECT
        if exc.retriable or exc.kind in _RUPLOAD_BACKOFF or (exc.http_status or 0) >= 500:
            return RetryAction.BACKOFF
    return RetryAction.TERMINAL


def retry_at(exc: BaseException, now: datetime) -> datetime | None:
    """When a NEXT_WINDOW failure may be retried (None for every other failure)."""
    if isinstance(exc, RateLimited | PublishLimit):
        return exc.retry_at(now)
    return None
