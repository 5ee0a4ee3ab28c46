"""The retry table, case by case, and the code → exception mapping."""

from __future__ import annotations

import pytest

from studio.platforms.tiktok import errors as e
from studio.platforms.tiktok.errors import RetryAction as R


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("access_token_invalid", 401, e.AccessTokenInvalid),
        ("scope_not_authorized", 401, e.ScopeNotAuthorized),
        ("scope_permission_missed", 400, e.ScopeNotAuthorized),
        ("rate_limit_exceeded", 429, e.RateLimited),
        ("internal_error", 500, e.ServerError),
        ("invalid_param", 400, e.InvalidParam),
        ("invalid_params", 400, e.InvalidParam),
        ("invalid_file_upload", 400, e.InvalidParam),
        ("spam_risk_too_many_posts", 403, e.SpamRisk),
        ("spam_risk_user_banned_from_posting", 403, e.SpamRisk),
        ("spam_risk_too_many_pending_share", 403, e.TooManyPendingShares),
        ("reached_active_user_cap", 200, e.SpamRisk),
        ("url_ownership_unverified", 403, e.UrlOwnershipUnverified),
        ("privacy_level_option_mismatch", 403, e.PrivacyLevelMismatch),
        ("unaudited_client_can_only_post_to_private_accounts", 403, e.UnauditedClient),
        ("invalid_publish_id", 400, e.PublishIdError),
        ("publish_not_cancellable", 400, e.PublishNotCancellable),
        ("something_new", 503, e.ServerError),
        ("something_new", 429, e.RateLimited),
        ("something_new", 400, e.TikTokError),
    ],
)
def test_api_error_picks_the_class(code, status, cls):
    exc = e.api_error(code, "msg", "LOG1", status)
    assert type(exc) is cls
    assert (exc.code, exc.message, exc.log_id, exc.http_status) == (code, "msg", "LOG1", status)


def test_too_many_pending_shares_is_a_spam_risk():
    assert issubclass(e.TooManyPendingShares, e.SpamRisk)


@pytest.mark.parametrize(
    ("exc", "action"),
    [
        (e.TransportError("timeout"), R.BACKOFF),
        (e.TransportError("connection", "reset"), R.BACKOFF),
        (e.api_error("internal_error", http_status=500), R.BACKOFF),
        (e.api_error("whatever", http_status=502), R.BACKOFF),
        (e.api_error("rate_limit_exceeded", http_status=429), R.NEXT_WINDOW),
        (e.api_error("access_token_invalid", http_status=401), R.REFRESH_TOKEN),
        (e.api_error("scope_not_authorized", http_status=401), R.RECONNECT),
        (e.oauth_error("invalid_grant", "revoked"), R.RECONNECT),
        (e.ReconnectNeeded(1, "gone"), R.RECONNECT),
        (e.oauth_error("server_error"), R.BACKOFF),
        (e.oauth_error("temporarily_unavailable"), R.BACKOFF),
        (e.oauth_error("invalid_client"), R.TERMINAL),
        (e.oauth_error("invalid_request"), R.TERMINAL),
        (e.UploadRejected(403, "expired"), R.REINIT),
        (e.UploadRejected(404, "unknown"), R.REINIT),
        (e.UploadRejected(416, "range"), R.REINIT),
        (e.UploadRejected(400, "bad chunk"), R.TERMINAL),
        (e.UploadRejected(500), R.BACKOFF),
        (e.UploadRejected(503), R.BACKOFF),
        (e.UploadRejected(429), R.NEXT_WINDOW),
        (e.api_error("invalid_param", http_status=400), R.TERMINAL),
        (e.api_error("invalid_file_upload", http_status=400), R.TERMINAL),
        (e.api_error("spam_risk_too_many_posts", http_status=403), R.TERMINAL),
        (e.api_error("spam_risk_too_many_pending_share", http_status=403), R.TERMINAL),
        (e.api_error("spam_risk_user_banned_from_posting", http_status=403), R.TERMINAL),
        (e.api_error("reached_active_user_cap", http_status=200), R.TERMINAL),
        (e.api_error("url_ownership_unverified", http_status=403), R.TERMINAL),
        (e.api_error("privacy_level_option_mismatch", http_status=403), R.TERMINAL),
        (e.api_error("unaudited_client_can_only_post_to_private_accounts"), R.TERMINAL),
        (e.api_error("invalid_publish_id", http_status=400), R.TERMINAL),
        (ValueError("not ours"), R.TERMINAL),
    ],
)
def test_retry_action(exc, action):
    assert e.retry_action(exc) is action


def test_invalid_grant_is_an_oauth_error_with_code():
    exc = e.oauth_error("invalid_grant", "expired", "L2", 200)
    assert isinstance(exc, e.InvalidGrant) and isinstance(exc, e.OAuthError)
    assert (exc.error, exc.code, exc.description, exc.log_id) == (
        "invalid_grant",
        "invalid_grant",
        "expired",
        "L2",
    )
