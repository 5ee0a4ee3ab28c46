"""YouTube failures as typed exceptions with plain words for staff, and the one retry table."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from studio.platforms.retry import RetryAction
from studio.transport import PlatformError, TransportError

__all__ = ["PlatformError", "RetryAction", "TransportError"]  # shared names, re-exported

PACIFIC = ZoneInfo("America/Los_Angeles")  # YouTube quotas reset at midnight Pacific time


class YouTubeError(PlatformError):
    """Base of YouTube's own failures; `plain` is the sentence staff read."""

    code: str = "youtube_error"
    plain: str = "YouTube refused the request."


class GoogleApiError(YouTubeError):
    """A Data API failure `{"error": {code, message, errors: [{reason, domain, location}]}}`."""

    plain = "YouTube refused the request."

    def __init__(
        self,
        reason: str,
        message: str = "",
        http_status: int | None = None,
        *,
        domain: str = "",
        location: str = "",
    ) -> None:
        super().__init__(reason, message, http_status)
        self.reason = reason
        self.domain = domain
        self.location = location


class AuthError(GoogleApiError):
    """401 `authError`: the access token expired or was revoked."""

    plain = "YouTube no longer accepts the access token; it is refreshed and the call retried."


class InsufficientPermissions(GoogleApiError):
    """403 `insufficientPermissions`: the grant lacks a scope (a box left unticked)."""

    plain = (
        "The YouTube connection lacks a permission. Reconnect the channel and leave every "
        "requested permission ticked on Google's consent page."
    )


class NoChannel(GoogleApiError):
    """The Google account has no YouTube channel (no `items`, or 401 `youtubeSignupRequired`)."""

    plain = (
        "This Google account has no YouTube channel. Create the channel on youtube.com with "
        "this account (or pick the account that owns the channel), then connect again."
    )


class QuotaExceeded(GoogleApiError):
    """403 `quotaExceeded`: the project's daily quota is spent; it resets at midnight Pacific."""

    plain = (
        "The app's daily YouTube API quota is used up (it is shared by every channel of this "
        "app). Sending resumes after midnight Pacific time, when Google resets it."
    )

    def retry_at(self, now: datetime) -> datetime:
        """The next midnight in Pacific time, in `now`'s zone."""
        return next_pacific_midnight(now)


class UploadLimitExceeded(GoogleApiError):
    """400 `uploadLimitExceeded`: the channel's own cap on uploads in 24 hours."""

    plain = (
        "This channel has reached YouTube's limit on uploads in 24 hours (a limit of the "
        "channel, not of the app). Sending is retried in 24 hours."
    )

    def retry_at(self, now: datetime) -> datetime:
        """24 hours from now (Google states no exact window)."""
        return now + timedelta(hours=24)


class RateLimited(GoogleApiError):
    """429, `rateLimitExceeded`, `userRateLimitExceeded`: too many calls right now."""

    plain = "YouTube asked the app to slow down; the call is retried shortly."


class ServerError(GoogleApiError):
    """5xx (`backendError`, `internalError`, plain-text 503s): Google's side failed."""

    plain = "YouTube had a temporary failure; the call is retried shortly."


class InvalidMetadata(GoogleApiError):
    """A video field broke a rule (ours before sending, or Google's `invalid*` 400s)."""

    @property
    def field(self) -> str:
        """The broken field, as `snippet.title` (Google's location without `body.`)."""
        return self.location.removeprefix("body.") or "the video's details"

    @property
    def plain(self) -> str:  # type: ignore[override]
        """The field and the rule it broke."""
        return f"YouTube will not accept {self.field}: {self.message or self.reason}"


class SessionExpired(GoogleApiError):
    """404/410 on the session URI: the resumable session is gone; start a new one from byte 0."""

    plain = "YouTube's upload session expired; the upload starts again from the beginning."


class OAuthError(YouTubeError):
    """A token or revoke failure in the flat shape `{error, error_description}`."""

    plain = "Google refused the sign-in request."

    def __init__(self, error: str, description: str = "", http_status: int | None = None) -> None:
        super().__init__(error, http_status=http_status, detail=description)
        self.error = error
        self.description = description


class InvalidGrant(OAuthError):
    """`invalid_grant`: the code or refresh token is expired, revoked, replayed or unknown."""

    plain = (
        "Google no longer accepts this connection (it expired or access was removed): reconnect "
        "the channel. If the app's OAuth consent screen is still in Testing mode, Google ends "
        "every connection 7 days after consent; publishing the consent screen (In production) "
        "stops that."
    )


_BY_REASON: dict[str, type[GoogleApiError]] = {
    "authError": AuthError,
    "insufficientPermissions": InsufficientPermissions,
    "youtubeSignupRequired": NoChannel,
    "quotaExceeded": QuotaExceeded,
    "dailyLimitExceeded": QuotaExceeded,
    "uploadLimitExceeded": UploadLimitExceeded,
    "rateLimitExceeded": RateLimited,
    "userRateLimitExceeded": RateLimited,
    "backendError": ServerError,
    "internalError": ServerError,
    "invalidTitle": InvalidMetadata,
    "invalidDescription": InvalidMetadata,
    "invalidTags": InvalidMetadata,
    "invalidCategoryId": InvalidMetadata,
    "invalidVideoMetadata": InvalidMetadata,
    "invalidPublishAt": InvalidMetadata,
}


def api_error(
    reason: str,
    message: str = "",
    http_status: int | None = None,
    *,
    domain: str = "",
    location: str = "",
) -> GoogleApiError:
    """The typed exception for `errors[0].reason` (falling back on the HTTP status)."""
    cls = _BY_REASON.get(reason)
    if cls is None and http_status is not None:
        if http_status == 401:
            cls = AuthError
        elif http_status == 429:
            cls = RateLimited
        elif http_status >= 500:
            cls = ServerError
    return (cls or GoogleApiError)(reason, message, http_status, domain=domain, location=location)


def oauth_error(error: str, description: str = "", http_status: int | None = None) -> OAuthError:
    """The typed exception for a flat OAuth `error`."""
    cls = InvalidGrant if error == "invalid_grant" else OAuthError
    return cls(error, description, http_status)


_OAUTH_BACKOFF = {"server_error", "temporarily_unavailable"}
_ACTIONS: tuple[tuple[type[BaseException], RetryAction], ...] = (
    (TransportError, RetryAction.BACKOFF),
    (InvalidGrant, RetryAction.RECONNECT),
    (AuthError, RetryAction.REFRESH_TOKEN),
    (InsufficientPermissions, RetryAction.RECONNECT),
    (NoChannel, RetryAction.RECONNECT),
    (QuotaExceeded, RetryAction.NEXT_WINDOW),
    (UploadLimitExceeded, RetryAction.NEXT_WINDOW),
    (RateLimited, RetryAction.BACKOFF),
    (ServerError, RetryAction.BACKOFF),
    (SessionExpired, RetryAction.REINIT),
    (InvalidMetadata, RetryAction.TERMINAL),
)


def retry_action(exc: BaseException) -> RetryAction:
    """Classify a failure (YouTube's single retry table; see RELIABILITY.md)."""
    for cls, action in _ACTIONS:
        if isinstance(exc, cls):
            return action
    if isinstance(exc, OAuthError) and (
        exc.error in _OAUTH_BACKOFF or (exc.http_status or 0) >= 500
    ):
        return RetryAction.BACKOFF
    return RetryAction.TERMINAL


def retry_at(exc: BaseException, now: datetime) -> datetime | None:
    """When a NEXT_WINDOW failure may be retried (None for every other failure)."""
    if isinstance(exc, QuotaExceeded | UploadLimitExceeded):
        return exc.retry_at(now)
    return None


def next_pacific_midnight(now: datetime) -> datetime:
    """The first midnight in America/Los_Angeles after `now` (aware), in `now`'s zone."""
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    return midnight.astimezone(now.tzinfo)
