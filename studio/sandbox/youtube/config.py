"""Configuration of the local Google/YouTube sandbox: one dataclass with documented defaults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studio.sandbox.config import Settings

UPLOAD_SCOPE = "https://www.googleapis.com/auth/youtube.upload"
READONLY_SCOPE = "https://www.googleapis.com/auth/youtube.readonly"
DAY = 86_400

DEFAULT_REDIRECT_URIS = [
    "http://127.0.0.1:5000/youtube/callback",
    "http://127.0.0.1:5000/privacy/verify/callback",
    "http://localhost:5000/youtube/callback",
    "http://localhost:5000/privacy/verify/callback",
]


@dataclass
class YouTubeConfig(Settings):
    """Every knob of the YouTube sandbox; durations in seconds (docs/platforms/youtube.md)."""

    label = "youtube sandbox"
    hooks = ("outcome_hook",)

    client_id: str = "sandbox-google-client.apps.googleusercontent.com"
    client_secret: str = "sandbox-google-client-secret"
    redirect_uris: list[str] = field(default_factory=lambda: list(DEFAULT_REDIRECT_URIS))
    # The scopes configured on the consent screen: asking for more is an error page (strict).
    allowed_scopes: list[str] = field(default_factory=lambda: [UPLOAD_SCOPE, READONLY_SCOPE])
    require_pkce: bool = True  # Google: optional for web clients. Strict: S256 required.
    code_ttl: float = 300.0  # undocumented by Google
    access_ttl: int = 3599
    # Google does not rotate refresh tokens but may send a new one: every Nth refresh does here
    # (0: never); the superseded one then dies at once when `old_refresh_dies` (strict).
    new_refresh_every: int = 0
    old_refresh_dies: bool = True
    # Consent screen in "Testing": refresh tokens die this long after consent (invalid_grant).
    testing_mode: bool = False
    testing_refresh_ttl: float = 7 * DAY
    # Resumable sessions: lifetime, and the status an expired one answers (404 or 410).
    session_ttl: float = 7 * DAY
    session_expired_status: int = 404
    final_status: int = 201  # the guide says 201 Created; client libraries also see 200
    max_video_bytes: int = 256 * 1024**3
    required_parts: list[str] = field(
        default_factory=lambda: ["snippet", "status", "paidProductPlacementDetails"]
    )
    # Processing after the last byte: `processing_steps` steps of `processing_step_delay` s.
    processing_step_delay: float = 0.5
    processing_steps: int = 3
    processing_outcome: str = "processed"  # or "failed" / "rejected"
    failure_reason: str = "conversion"
    rejection_reason: str = "inappropriate"
    reject_duplicates: bool = True  # the same bytes twice on one channel: rejected, duplicate
    outcome_hook: Callable[[dict[str, Any]], tuple[str, str | None] | None] | None = None
    # Quota (2026): videos.insert has its own bucket of calls; all else shares units.
    quota_units_per_day: int = 10_000
    upload_calls_per_day: int = 100
    channel_uploads_per_day: int | None = None  # the channel's cap: 400 uploadLimitExceeded
    public_base_url: str | None = None
    # Fault injection.
    seed: int = 4321
    fault_rate: float = 0.0
    fault_kinds: list[str] = field(default_factory=lambda: ["500", "503", "slow", "drop"])
    slow_seconds: float = 2.0
