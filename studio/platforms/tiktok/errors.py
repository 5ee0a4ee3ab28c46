"""TikTok failures as typed exceptions, and the one table that says how to react to each."""

from __future__ import annotations

from studio.platforms.retry import RetryAction
from studio.transport import PlatformError, TransportError

__all__ = ["PlatformError", "RetryAction", "TransportError"]  # shared ones, re-exported


class TikTokClientError(PlatformError):
    """Base of TikTok's own failures (the transport's are PlatformErrors too)."""


class TikTokError(TikTokClientError):
    """A data-API failure: `error.code` other than "ok" (on any HTTP status)."""

    def __init__(
        self,
        code: str,
        message: str = "",
        log_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(code, message, http_status, log_id=log_id)


class AccessTokenInvalid(TikTokError):
    """`access_token_invalid`: expired or revoked bearer token."""


class ScopeNotAuthorized(TikTokError):
    """`scope_not_authorized` / `scope_permission_missed`: the grant lacks a scope."""


class RateLimited(TikTokError):
    """`rate_limit_exceeded` (HTTP 429)."""


class ServerError(TikTokError):
    """`internal_error` or any 5xx: TikTok's side failed."""


class InvalidParam(TikTokError):
    """`invalid_param(s)`, `invalid_file_upload`: our request was refused as malformed."""


class SpamRisk(TikTokError):
    """`spam_risk_*` and `reached_active_user_cap`: the creator cannot post now."""


class TooManyPendingShares(SpamRisk):
    """`spam_risk_too_many_pending_share`: five unposted inbox drafts in 24 h."""


class UrlOwnershipUnverified(TikTokError):
    """`url_ownership_unverified`: PULL_FROM_URL outside a verified domain or prefix."""


class PrivacyLevelMismatch(TikTokError):
    """`privacy_level_option_mismatch`: privacy level not among the creator's options."""


class UnauditedClient(TikTokError):
    """`unaudited_client_can_only_post_to_private_accounts`."""


class PublishIdError(TikTokError):
    """`invalid_publish_id`, `token_not_authorized_for_specified_publish_id`."""


class PublishNotCancellable(TikTokError):
    """`publish_not_cancellable`: the publish is already final."""


class OAuthError(TikTokClientError):
    """A Login Kit failure in the flat shape `{error, error_description, log_id}`."""

    def __init__(
        self,
        error: str,
        description: str = "",
        log_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(error, http_status=http_status, log_id=log_id, detail=description)
        self.error = error  # the OAuth error category, also `code` (as on TikTokError)
        self.description = description


class InvalidGrant(OAuthError):
    """`invalid_grant`: bad, expired, replayed or revoked code or refresh token."""


class UploadRejected(TikTokClientError):
    """A chunk PUT answered 4xx/5xx (403 expired URL, 404 unknown, 416 range, 400 bad chunk)."""

    def __init__(self, status_code: int, detail: str = "") -> None:
        # Bare HTTP, no TikTok code or message: PlatformError's fields stay unset (callers
        # that log `code` fall back on the class name).
        Exception.__init__(self, f"upload rejected with HTTP {status_code}: {detail}".rstrip(": "))
        self.status_code = status_code
        self.detail = detail


class ReconnectNeeded(Exception):
    """The account's grant is gone (refresh failed, disconnected): an admin must reconnect."""

    def __init__(self, account_id: int | None, reason: str = "") -> None:
        super().__init__(reason or "the TikTok account needs to be reconnected")
        self.account_id = account_id
        self.reason = reason


_BY_CODE: dict[str, type[TikTokError]] = {
    "access_token_invalid": AccessTokenInvalid,
    "scope_not_authorized": ScopeNotAuthorized,
    "scope_permission_missed": ScopeNotAuthorized,
    "rate_limit_exceeded": RateLimited,
    "internal_error": ServerError,
    "invalid_param": InvalidParam,
    "invalid_params": InvalidParam,
    "invalid_file_upload": InvalidParam,
    "app_version_check_failed": InvalidParam,
    "spam_risk_too_many_pending_share": TooManyPendingShares,
    "reached_active_user_cap": SpamRisk,
    "url_ownership_unverified": UrlOwnershipUnverified,
    "privacy_level_option_mismatch": PrivacyLevelMismatch,
    "unaudited_client_can_only_post_to_private_accounts": UnauditedClient,
    "invalid_publish_id": PublishIdError,
    "token_not_authorized_for_specified_publish_id": PublishIdError,
    "publish_not_cancellable": PublishNotCancellable,
}


def api_error(
    code: str, message: str = "", log_id: str | None = None, http_status: int | None = None
) -> TikTokError:
    """The typed exception for a data-API `error.code` (falling back on the HTTP status)."""
    cls = _BY_CODE.get(code)
    if cls is None and code.startswith("spam_risk"):
        cls = SpamRisk
    if cls is None and http_status is not None:
        if http_status == 429:
            cls = RateLimited
        elif http_status >= 500:
            cls = ServerError
        elif http_status == 401:
            cls = AccessTokenInvalid
    return (cls or TikTokError)(code, message, log_id, http_status)


def oauth_error(
    error: str, description: str = "", log_id: str | None = None, http_status: int | None = None
) -> OAuthError:
    """The typed exception for a flat OAuth `error`."""
    cls = InvalidGrant if error == "invalid_grant" else OAuthError
    return cls(error, description, log_id, http_status)


_OAUTH_BACKOFF = {"server_error", "temporarily_unavailable"}


def retry_action(exc: BaseException) -> RetryAction:
    """Classify a failure (the single retry table; see RELIABILITY.md)."""
    if isinstance(exc, ReconnectNeeded):
        return RetryAction.RECONNECT
    if isinstance(exc, TransportError):
        return RetryAction.BACKOFF
    if isinstance(exc, UploadRejected):
        return _upload_action(exc.status_code)
    if isinstance(exc, InvalidGrant):
        return RetryAction.RECONNECT
    if isinstance(exc, OAuthError):
        if exc.error in _OAUTH_BACKOFF or (exc.http_status or 0) >= 500:
            return RetryAction.BACKOFF
        return RetryAction.TERMINAL
    if isinstance(exc, AccessTokenInvalid):
        return RetryAction.REFRESH_TOKEN
    if isinstance(exc, ScopeNotAuthorized):
        return RetryAction.RECONNECT
    if isinstance(exc, RateLimited):
        return RetryAction.NEXT_WINDOW
    if isinstance(exc, ServerError):
        return RetryAction.BACKOFF
    return RetryAction.TERMINAL


def _upload_action(status: int) -> RetryAction:
    if status >= 500:
        return RetryAction.BACKOFF
    if status == 429:
        return RetryAction.NEXT_WINDOW
    if status in (403, 404, 416):
        return RetryAction.REINIT
    return RetryAction.TERMINAL
