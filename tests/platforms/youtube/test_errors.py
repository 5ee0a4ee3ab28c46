"""YouTube's retry table, case by case, and when the next window opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from studio.platforms.retry import RetryAction
from studio.platforms.youtube.errors import (
    GoogleApiError,
    OAuthError,
    QuotaExceeded,
    UploadLimitExceeded,
    api_error,
    next_pacific_midnight,
    oauth_error,
    retry_action,
    retry_at,
)
from studio.transport import InvalidResponse, TransportError


@pytest.mark.parametrize(
    ("exc", "action"),
    [
        (TransportError("timeout"), RetryAction.BACKOFF),
        (TransportError("connection"), RetryAction.BACKOFF),
        (api_error("backendError", "", 500), RetryAction.BACKOFF),
        (api_error("http_503", "Invalid request.", 503), RetryAction.BACKOFF),
        (api_error("rateLimitExceeded", "", 429), RetryAction.BACKOFF),
        (api_error("userRateLimitExceeded", "", 403), RetryAction.BACKOFF),
        (api_error("authError", "", 401), RetryAction.REFRESH_TOKEN),
        (api_error("insufficientPermissions", "", 403), RetryAction.RECONNECT),
        (api_error("youtubeSignupRequired", "", 401), RetryAction.RECONNECT),
        (api_error("quotaExceeded", "", 403), RetryAction.NEXT_WINDOW),
        (api_error("uploadLimitExceeded", "", 400), RetryAction.NEXT_WINDOW),
        (api_error("invalidTitle", "", 400, location="body.snippet.title"), RetryAction.TERMINAL),
        (api_error("forbidden", "", 403), RetryAction.TERMINAL),
        (api_error("notFound", "", 404), RetryAction.TERMINAL),
        (oauth_error("invalid_grant", "Token has been expired or revoked.", 400),
         RetryAction.RECONNECT),
        (oauth_error("invalid_client", "Unauthorized", 401), RetryAction.TERMINAL),
        (oauth_error("temporarily_unavailable", "", 503), RetryAction.BACKOFF),
        (oauth_error("weird", "", 502), RetryAction.BACKOFF),
        (InvalidResponse("not JSON", 200), RetryAction.TERMINAL),
        (ValueError("a bug"), RetryAction.TERMINAL),
    ],
)  # fmt: skip
def test_retry_table(exc: BaseException, action: RetryAction) -> None:
    assert retry_action(exc) is action


def test_google_metadata_error_names_its_field() -> None:
    exc = api_error("invalidTags", "invalid video keywords", 400, location="body.snippet.tags")
    assert exc.field == "snippet.tags" and "snippet.tags" in exc.plain  # type: ignore[attr-defined]


def test_every_error_has_plain_words() -> None:
    for exc in (api_error("whatever", "", 400), oauth_error("x"), api_error("quotaExceeded")):
        assert isinstance(exc, GoogleApiError | OAuthError) and exc.plain.endswith(".")


def test_quota_waits_for_pacific_midnight_and_the_channel_cap_a_day() -> None:
    now = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)  # 23:30 on the 6th in Los Angeles (PST)
    quota = retry_at(QuotaExceeded("quotaExceeded", "", 403), now)
    assert quota == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    cap = retry_at(UploadLimitExceeded("uploadLimitExceeded", "", 400), now)
    assert cap == now + timedelta(hours=24)
    assert retry_at(api_error("backendError", "", 500), now) is None


def test_pacific_midnight_follows_daylight_saving() -> None:
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 05:00 PDT
    assert next_pacific_midnight(summer) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)
    change = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 04:00 PST, two hours after the change
    assert next_pacific_midnight(change) == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
