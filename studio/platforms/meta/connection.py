"""Meta as the app configures it: settings, the audited client, scopes, account lookups.

Three kinds of rows in `accounts`: `meta` is a person's Facebook Login (one connection per
person; it holds the long-lived user token), `facebook` a Page and `instagram` a professional
account chosen through it (`parent_id` → the login). docs/platforms/meta.md, Accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app

from studio.config import ConfigError
from studio.platforms.accounts import Accounts
from studio.platforms.exchanges import report_exchange
from studio.platforms.meta.client import MetaClient
from studio.transport import Exchange

LOGIN = "meta"
FACEBOOK = "facebook"
INSTAGRAM = "instagram"
LOGINS = Accounts(LOGIN)
PAGES = Accounts(FACEBOOK)
INSTAGRAMS = Accounts(INSTAGRAM)
LABEL = "Meta"
# Only what publishing Reels to a Page and to its Instagram account needs; each is named on
# the account page with why (views.SCOPE_LABELS).
PUBLISH_SCOPES = [
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "instagram_basic",
    "instagram_content_publish",
    "business_management",
]
# Reading the Reels' insights: asked for only while METRICS_ENABLED (studio/metrics).
INSIGHTS_SCOPES = ["instagram_manage_insights", "read_insights"]
SCOPES = [*PUBLISH_SCOPES, *INSIGHTS_SCOPES]  # every permission the app may ask for


def scopes(config: Mapping[str, Any]) -> list[str]:
    """The permissions a connect asks for now (insights only while metrics are on)."""
    return [*PUBLISH_SCOPES, *(INSIGHTS_SCOPES if config.get("METRICS_ENABLED") else [])]


REVOKE_PAGE = "https://www.facebook.com/settings/?tab=business_tools"

DEFAULTS: dict[str, Any] = {
    "META_APP_ID": None,  # set: Meta is enabled
    "META_APP_SECRET": None,
    "META_GRAPH_VERSION": "v27.0",  # the newest documented (docs/platforms/meta.md, Versions)
    "META_AUTH_URL": "https://www.facebook.com/{version}/dialog/oauth",
    "META_GRAPH_BASE": "https://graph.facebook.com",
    "META_UPLOAD_BASE": "https://rupload.facebook.com",
    "META_LOGIN_CONFIG_ID": None,  # Login for Business configuration (else the scopes above)
    "META_TIMEOUT": 30.0,
    "META_FLOW_TTL": 600,  # seconds a login at Facebook may take
    "META_REFRESH_TIMEOUT": 10.0,  # a refresh holds the login's row lock: keep it short
    "META_REFRESH_AHEAD": 7 * 86400,  # renew long-lived tokens with less than this left
    "META_CALLBACK_RATE_LIMIT": "30 per minute",  # per client address
    # Publishing limits over any 24 h, checked when a post is planned (the senders check
    # again: Instagram's own content_publishing_limit is read before every publish).
    "META_INSTAGRAM_POSTS_PER_DAY": 50,  # quota_total in Meta's current example
    "META_PAGE_REELS_PER_DAY": 30,  # API-published Reels per Page
}
# `flask demo` and `flask sandbox`: the sandbox's Meta (studio/sandbox/meta/config.py).
DEMO_APP_ID = "1234567890123456"
DEMO_APP_SECRET = "sandbox-meta-app-secret"


def configure(app: Flask) -> None:
    """Defaults for unset keys; the demo points at the sandbox; production needs the secret."""
    cfg = app.config
    for key, value in DEFAULTS.items():
        if cfg.get(key) is None:
            cfg[key] = value
    if cfg["ENV"] == "demo" and not cfg.get("META_APP_ID"):
        base = f"http://127.0.0.1:{cfg['SANDBOX_PORT']}/meta"
        cfg.update(
            META_APP_ID=DEMO_APP_ID,
            META_APP_SECRET=cfg.get("META_APP_SECRET") or DEMO_APP_SECRET,
            META_AUTH_URL=f"{base}/{{version}}/dialog/oauth",
            META_GRAPH_BASE=f"{base}/graph",
            META_UPLOAD_BASE=f"{base}/rupload",
        )
    if cfg["ENV"] == "production" and enabled(cfg) and not cfg.get("META_APP_SECRET"):
        raise ConfigError(
            "production mode refuses to start: STUDIO_META_APP_SECRET must be set when "
            "STUDIO_META_APP_ID is (Meta is enabled)"
        )


def enabled(config: Mapping[str, Any]) -> bool:
    """Meta is on when its app id is configured."""
    return bool(config.get("META_APP_ID"))


def auth_url(config: Mapping[str, Any]) -> str:
    """The login dialog's URL with the configured Graph version filled in."""
    return str(config["META_AUTH_URL"]).replace("{version}", str(config["META_GRAPH_VERSION"]))


def get_client(hook: Callable[[Exchange], None] | None = None) -> MetaClient:
    """A client configured from the app, reporting every exchange to the audit log."""
    cfg = current_app.config
    return MetaClient(
        cfg["META_APP_ID"],
        cfg["META_APP_SECRET"] or "",
        cfg["META_GRAPH_VERSION"],
        cfg["META_AUTH_URL"],
        cfg["META_GRAPH_BASE"],
        cfg["META_UPLOAD_BASE"],
        float(cfg["META_TIMEOUT"]),
        hook or report_exchange,
    )


def target_accounts(session: Any) -> list[Any]:
    """Every Page and Instagram account ever chosen (disconnected ones included)."""
    return PAGES.every(session) + INSTAGRAMS.every(session)


all_logins = LOGINS.every  # disconnected ones included
get_login = LOGINS.one
login_by_user = LOGINS.by_remote_id  # by the app-scoped Meta user id
facebook_accounts = PAGES.every
instagram_accounts = INSTAGRAMS.every
