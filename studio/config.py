"""Configuration: code defaults, instance/config.py, STUDIO_* environment, test mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from flask import Flask

GIB = 1024**3
SANDBOX_PORT = 5001
DEMO_PUBLIC_URL = "http://127.0.0.1:5000"  # where `flask demo` and `flask run` serve by default


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what is missing."""


class Defaults:
    """Code defaults; every key can be overridden in instance/config.py or STUDIO_<KEY>."""

    ENV = "demo"  # demo | development | production | testing
    SECRET_KEY: str | None = None
    VAULT_KEYS: str | None = None
    AUDIT_SEAL_KEY: str | None = None
    AUDIT_SEAL_PATH: str | None = None  # audit seal file; default instance/audit-seals.jsonl
    # Audit entries older than this are dropped, only as whole sealed segments (flask purge)
    AUDIT_RETENTION_DAYS = 400
    DATABASE_URL: str | None = None  # default: sqlite file in the instance folder
    SQLITE_SYNCHRONOUS = "FULL"
    REDIS_URL: str | None = None
    RATELIMIT_STORAGE_URI = "memory://"

    TIKTOK_CLIENT_KEY = "sandbox-client-key"
    TIKTOK_CLIENT_SECRET = "sandbox-client-secret"
    TIKTOK_AUTH_URL = "https://www.tiktok.com/v2/auth/authorize/"
    TIKTOK_API_BASE = "https://open.tiktokapis.com"
    TIKTOK_SCOPES = "user.info.basic,video.upload"
    TIKTOK_TIMEOUT = 30.0
    TIKTOK_DIRECT_POST = False
    # The public base URL (scheme, host, optional path) of every absolute link the app writes:
    # e-mails, webhook replies, OAuth callbacks, media URLs. Never derived from the request's
    # Host header. Required in production (https); outside it defaults to the demo's address.
    PUBLIC_URL: str | None = None
    TIKTOK_WEBHOOK_TOLERANCE = 300
    # Public base of the OAuth callbacks when it differs from PUBLIC_URL (unset: PUBLIC_URL).
    # Must match TikTok's portal exactly.
    TIKTOK_REDIRECT_BASE: str | None = None
    TIKTOK_FLOW_TTL = 600  # seconds an authorization may take before its state expires
    TIKTOK_REFRESH_TIMEOUT = 10.0  # a refresh holds the account's row lock: keep it short
    TIKTOK_REFRESH_AHEAD = 900  # the periodic job refreshes tokens expiring within this
    TIKTOK_CALLBACK_RATE_LIMIT = "30 per minute"  # per client address, on OAuth callbacks
    PUBLIC_MEDIA_BASE: str | None = None
    SANDBOX_PORT = SANDBOX_PORT

    MAX_VIDEO_BYTES = 4 * GIB
    MAX_CONTENT_LENGTH: int | None = None  # ceiling of every body cap (studio/bodies.py)
    MAX_BODY_BYTES = 1024**2  # body cap of endpoints without their own (forms, JSON)
    UPLOAD_RESERVE_BYTES = 256 * 1024**2
    VIDEO_RETENTION_DAYS = 7

    OPERATOR_NAME = "Example Company Ltd."
    OPERATOR_EMAIL = "privacy@example.com"
    OPERATOR_ADDRESS = "1 Example Street, Example City"
    OPERATOR_WEBSITE = "https://example.com"
    OPERATOR_HOSTING = ""  # e.g. "Hetzner Online GmbH, Germany": named in the policy
    OPERATOR_COUNTRY = ""  # where the operator is established (transfers statement)
    # "Our videos are AI-generated": every delivery carries each platform's AI label, and the
    # policy says so.
    OPERATOR_AI_CONTENT = False
    OPERATOR_TIME_ZONE = "UTC"  # staff see times here until they choose their own (IANA name)
    APPROVAL_REQUIRED = False  # a post waits for approval before any delivery sends
    APPROVAL_BY_PEERS = False  # who approves: admins only, or any staff member but the author
    OPERATOR_PRIVACY_EXTRA = ""
    OPERATOR_TERMS = ""

    # Performance figures (studio/metrics): None means on in demo, off elsewhere. On, the
    # TikTok connection also asks for user.info.stats and video.list.
    METRICS_ENABLED: bool | None = None
    METRICS_TIKTOK_CALLS = 200  # per account and round (TikTok limits each endpoint per token)
    # YouTube units per round for every channel together, out of the project's 10,000 a day
    # that publishing shares: publishing keeps the rest.
    METRICS_YOUTUBE_UNITS = 1000
    METRICS_META_CALLS = 200  # per account and round (Meta's BUC limits are per Page / IG account)
    # DEMO DATA: days of made-up past figures given to an account on its first read, so that
    # a newcomer's charts have history on day one. 21 in demo mode; never outside demo and
    # the tests (studio/metrics/demo.py).
    METRICS_DEMO_DAYS: int | None = None

    REQUIRE_ADMIN_2FA = False
    # "Keep me signed in" lasts 7 days: long enough that staff who publish a few times a week
    # are not asked every morning, short enough that a forgotten laptop or a copied cookie
    # stops working within a week (the login session row expires with it, and signing out or
    # a password change ends it at once). Without it a sign-in lasts 12 hours (one work day).
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 7
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    LOGIN_RATE_LIMIT_IP = "10 per minute"
    LOGIN_RATE_LIMIT_ACCOUNT = "5 per 15 minutes"
    PUBLIC_FORM_RATE_LIMIT = "5 per minute;30 per hour"

    TRUSTED_HOSTS: list[str] | None = None
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PREFERRED_URL_SCHEME = "http"

    # Privacy room: deletion requests, mail, webhooks from Meta, retention.
    DELETION_AUTO_EXECUTE = True  # verified requests run without staff approval
    DELETION_EXPORT_WINDOW_HOURS = 24  # auto mode: time to download a copy before deletion runs
    DELETION_DUE_SOON_DAYS = 7  # staff queue flags requests due within this many days
    DELETION_UNVERIFIED_DAYS = 14  # unverified requests are closed after this
    DELETION_RECEIPT_DAYS = 3 * 365  # receipts (hashes, dates, counts) are kept this long
    DELETION_LINK_HOURS = 24  # e-mailed verification links expire after this
    DELETION_STATUS_RATE_LIMIT = "20 per minute;200 per hour"  # status lookups, against guessing
    WEBHOOK_OPENS_DELETION = False  # TikTok authorization.removed also opens a deletion request
    WEBHOOK_RETENTION_DAYS = 7  # delivery digests outlive TikTok's 72 h retry window
    # Audit contents about people whose TikTok account is not connected (revocation, name check)
    UNCONNECTED_AUDIT_DAYS = 30
    META_ENABLED = False  # unused: Meta is enabled by META_APP_ID (studio/platforms/meta)
    META_APP_SECRET: str | None = None  # verifies Meta's signed_request
    GOOGLE_ENABLED = False  # reserved: no YouTube code yet (the policy ignores it)
    MAIL_FROM = "Social Studio <no-reply@example.com>"
    MAIL_OUTBOX: str | None = None  # default instance/outbox/; used when SMTP_HOST is unset
    OUTBOX_RETENTION_DAYS = 30
    CONTACT_RETENTION_DAYS = 180
    LOG_FILE: str | None = None  # the app's own log file; unset: stderr (journald)
    LOG_RETENTION_DAYS = (
        14  # rotated daily; the policy states it  # contact-form messages are deleted after this
    )
    BACKUP_RETENTION_DAYS = 30  # operators delete database backups older than this
    DELETION_LEDGER_PATH: str | None = None  # default instance/deletion-ledger.jsonl
    SMTP_HOST: str | None = None
    SMTP_PORT = 587
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = True
    HUEY_IMMEDIATE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 4


PRODUCTION_REQUIRED = ("SECRET_KEY", "VAULT_KEYS")
METRICS_SCOPES = ("user.info.stats", "video.list")  # TikTok's, for studio/metrics


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply the four configuration layers, then derive and check the result."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("STUDIO")
    if test_config:
        app.config.update(test_config)
    env = app.config["ENV"]
    if env == "production":
        _require_production_secrets(app)
        _apply_production_defaults(app)
    elif not test_config or not all(app.config.get(k) for k in PRODUCTION_REQUIRED):
        _ensure_generated_secrets(app)
    if env == "demo":
        _apply_demo_defaults(app)
    _derive(app)


def _require_production_secrets(app: Flask) -> None:
    missing = [k for k in PRODUCTION_REQUIRED if not app.config.get(k)]
    if app.config["TIKTOK_CLIENT_SECRET"] in (None, "", Defaults.TIKTOK_CLIENT_SECRET):
        missing.append("TIKTOK_CLIENT_SECRET")
    if not app.config.get("TRUSTED_HOSTS"):
        missing.append("TRUSTED_HOSTS")
    if not app.config.get("PUBLIC_URL"):
        missing.append("PUBLIC_URL")
    if missing:
        names = ", ".join(f"STUDIO_{k}" for k in missing)
        raise ConfigError(f"production mode refuses to start: {names} must be set")


def _apply_production_defaults(app: Flask) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    app.config["REMEMBER_COOKIE_SECURE"] = True
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, has Path=/ and
    # no Domain: a sibling subdomain or a plain-http page cannot plant or overwrite it.
    app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    app.config["SESSION_COOKIE_PATH"] = "/"
    app.config["SESSION_COOKIE_DOMAIN"] = None
    app.config["REMEMBER_COOKIE_NAME"] = "__Host-remember_token"
    app.config["REMEMBER_COOKIE_PATH"] = "/"
    app.config["REMEMBER_COOKIE_DOMAIN"] = None
    app.config["PREFERRED_URL_SCHEME"] = "https"
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = 64 * 1024**2


def _apply_demo_defaults(app: Flask) -> None:
    base = f"http://127.0.0.1:{app.config['SANDBOX_PORT']}"
    if app.config["TIKTOK_API_BASE"] == Defaults.TIKTOK_API_BASE:
        app.config["TIKTOK_API_BASE"] = base
    if app.config["TIKTOK_AUTH_URL"] == Defaults.TIKTOK_AUTH_URL:
        app.config["TIKTOK_AUTH_URL"] = f"{base}/v2/auth/authorize/"


def _ensure_generated_secrets(app: Flask) -> None:
    """Outside production, generate missing secrets once into instance/config.py (mode 0600)."""
    missing = {k: v for k, v in _fresh_secrets().items() if not app.config.get(k)}
    if not missing:
        return
    path = Path(app.instance_path) / "config.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{k} = {v!r}\n" for k, v in missing.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write("# Generated for local use; production sets these in the environment.\n")
        fh.write(lines)
    os.chmod(path, 0o600)
    app.config.update(missing)


def _fresh_secrets() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "VAULT_KEYS": Fernet.generate_key().decode(),
        "AUDIT_SEAL_KEY": secrets.token_urlsafe(48),
    }


def _check_public_url(app: Flask) -> None:
    """PUBLIC_URL is an absolute http(s) base without query or fragment; https in production."""
    cfg = app.config
    if not cfg.get("PUBLIC_URL"):
        cfg["PUBLIC_URL"] = DEMO_PUBLIC_URL
    parts = urlsplit(str(cfg["PUBLIC_URL"]))
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            "STUDIO_PUBLIC_URL must be an absolute URL such as https://studio.example.com "
            f"(got {cfg['PUBLIC_URL']!r})"
        )
    if cfg["ENV"] == "production" and parts.scheme != "https":
        raise ConfigError("production mode refuses to start: STUDIO_PUBLIC_URL must use https")
    cfg["PUBLIC_URL"] = str(cfg["PUBLIC_URL"]).rstrip("/")


def _derive(app: Flask) -> None:
    cfg = app.config
    _check_public_url(app)
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'studio.db'}"
    if not cfg.get("AUDIT_SEAL_KEY"):
        cfg["AUDIT_SEAL_KEY"] = cfg["SECRET_KEY"]
    if cfg.get("REDIS_URL") and cfg["RATELIMIT_STORAGE_URI"] == "memory://":
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"]
    if isinstance(cfg.get("TRUSTED_HOSTS"), str):
        cfg["TRUSTED_HOSTS"] = [h.strip() for h in cfg["TRUSTED_HOSTS"].split(",") if h.strip()]
    cfg["MAX_VIDEO_BYTES"] = int(cfg["MAX_VIDEO_BYTES"])
    if cfg.get("METRICS_ENABLED") is None:
        cfg["METRICS_ENABLED"] = cfg["ENV"] == "demo"
    if cfg.get("METRICS_DEMO_DAYS") is None:
        cfg["METRICS_DEMO_DAYS"] = 21 if cfg["ENV"] == "demo" else 0
    if cfg["ENV"] not in ("demo", "testing"):
        cfg["METRICS_DEMO_DAYS"] = 0  # made-up figures only where every platform is a sandbox
    cfg["REMEMBER_COOKIE_DURATION"] = int(cfg["REMEMBER_COOKIE_DURATION"])
    cfg["PERMANENT_SESSION_LIFETIME"] = int(cfg["PERMANENT_SESSION_LIFETIME"])


def scopes(app: Flask) -> list[str]:
    """The TikTok scopes the enabled modes need (video.publish only with direct post on)."""
    wanted = [s.strip() for s in app.config["TIKTOK_SCOPES"].split(",") if s.strip()]
    if app.config["TIKTOK_DIRECT_POST"] and "video.publish" not in wanted:
        wanted.append("video.publish")
    if app.config["METRICS_ENABLED"]:  # asked for only while performance figures are on
        wanted += [s for s in METRICS_SCOPES if s not in wanted]
    return wanted
