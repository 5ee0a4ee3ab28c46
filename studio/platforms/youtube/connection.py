"""YouTube as the app configures it: settings, the audited client, scopes, account lookups."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app

from studio.config import ConfigError
from studio.platforms.accounts import Accounts
from studio.platforms.exchanges import report_exchange
from studio.platforms.youtube.client import YouTubeClient
from studio.transport import Exchange

PLATFORM = "youtube"
ACCOUNTS = Accounts(PLATFORM)
LABEL = "Google"
UPLOAD_SCOPE = "https://www.googleapis.com/auth/youtube.upload"
READONLY_SCOPE = "https://www.googleapis.com/auth/youtube.readonly"
# Upload videos, and read the channel (and, later, its statistics): nothing broader.
SCOPES = [UPLOAD_SCOPE, READONLY_SCOPE]
REVOKE_PAGE = "https://myaccount.google.com/permissions"

DEFAULTS: dict[str, Any] = {
    "YOUTUBE_CLIENT_ID": None,  # set: YouTube is enabled
    "YOUTUBE_CLIENT_SECRET": None,
    "GOOGLE_AUTH_URL": "https://accounts.google.com/o/oauth2/v2/auth",
    "GOOGLE_TOKEN_URL": "https://oauth2.googleapis.com/token",
    "GOOGLE_REVOKE_URL": "https://oauth2.googleapis.com/revoke",
    "YOUTUBE_API_BASE": "https://www.googleapis.com",  # /youtube/v3 and /upload/youtube/v3
    "YOUTUBE_TIMEOUT": 30.0,
    "YOUTUBE_FLOW_TTL": 600,  # seconds a sign-in at Google may take
    "YOUTUBE_REFRESH_TIMEOUT": 10.0,  # a refresh holds the account's row lock: keep it short
    "YOUTUBE_REFRESH_AHEAD": 900,  # the periodic job refreshes tokens expiring within this
    "YOUTUBE_CALLBACK_RATE_LIMIT": "30 per minute",  # per client address
    # The Google project's daily quota (Google's defaults; raise after a quota extension).
    "YOUTUBE_QUOTA_UPLOADS_PER_DAY": 100,  # videos.insert calls (their own bucket)
    "YOUTUBE_QUOTA_UNITS_PER_DAY": 10_000,  # units for every other method
    "YOUTUBE_CHUNK_SIZE": 8 * 1024 * 1024,  # bytes per upload PUT: a multiple of 256 KiB
}
# `flask demo` and `flask sandbox`: the sandbox's Google (studio/sandbox/youtube/config.py).
DEMO_CLIENT_ID = "sandbox-google-client.apps.googleusercontent.com"
DEMO_CLIENT_SECRET = "sandbox-google-client-secret"


def configure(app: Flask) -> None:
    """Defaults for unset keys; the demo points at the sandbox; production needs the secret."""
    cfg = app.config
    for key, value in DEFAULTS.items():
        cfg.setdefault(key, value)
    if cfg["ENV"] == "demo" and not cfg.get("YOUTUBE_CLIENT_ID"):
        base = f"http://127.0.0.1:{cfg['SANDBOX_PORT']}/google"
        cfg.update(
            YOUTUBE_CLIENT_ID=DEMO_CLIENT_ID,
            YOUTUBE_CLIENT_SECRET=DEMO_CLIENT_SECRET,
            GOOGLE_AUTH_URL=f"{base}/o/oauth2/v2/auth",
            GOOGLE_TOKEN_URL=f"{base}/token",
            GOOGLE_REVOKE_URL=f"{base}/revoke",
            YOUTUBE_API_BASE=base,
        )
    if cfg["ENV"] == "production" and enabled(cfg) and not cfg.get("YOUTUBE_CLIENT_SECRET"):
        raise ConfigError(
            "production mode refuses to start: STUDIO_YOUTUBE_CLIENT_SECRET must be set "
            "when STUDIO_YOUTUBE_CLIENT_ID is (YouTube is enabled)"
        )


def enabled(config: Mapping[str, Any]) -> bool:
    """YouTube is on when its OAuth client id is configured."""
    return bool(config.get("YOUTUBE_CLIENT_ID"))


def get_client(hook: Callable[[Exchange], None] | None = None) -> YouTubeClient:
    """A client configured from the app, reporting every exchange to the audit log."""
    cfg = current_app.config
    return YouTubeClient(
        client_id=cfg["YOUTUBE_CLIENT_ID"],
        client_secret=cfg["YOUTUBE_CLIENT_SECRET"] or "",
        auth_url=cfg["GOOGLE_AUTH_URL"],
        token_url=cfg["GOOGLE_TOKEN_URL"],
        revoke_url=cfg["GOOGLE_REVOKE_URL"],
        api_base=cfg["YOUTUBE_API_BASE"],
        timeout=float(cfg["YOUTUBE_TIMEOUT"]),
        hook=hook or report_exchange,
    )


account_by_channel = ACCOUNTS.by_remote_id
all_accounts = ACCOUNTS.every  # disconnected ones included
connected_accounts = ACCOUNTS.in_use
get_account = ACCOUNTS.one
