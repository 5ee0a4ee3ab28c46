"""Configuration of the local Meta (Facebook Login, Graph, rupload): one dataclass."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.sandbox.config import Settings

DEFAULT_REDIRECT_URIS = [
    "http://127.0.0.1:5000/meta/callback",
    "http://localhost:5000/meta/callback",
]
# docs/platforms/meta.md, Versions: v27.0 (2026-11-04) is the newest; v26.0 and v25.0 live on.
DEFAULT_VERSIONS = ["v27.0", "v26.0", "v25.0"]
# docs/platforms/meta.md, Permissions: what publishing Reels (IG + Page) and insights need.
PUBLISHING_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_insights",
    "read_insights",
    "business_management",
)
KNOWN_SCOPES = frozenset({*PUBLISHING_SCOPES, "public_profile", "email", "ads_read"})


@dataclass
class MetaConfig(Settings):
    """Every knob of the Meta sandbox; durations in seconds."""

    label = "meta sandbox"

    app_id: str = "1234567890123456"
    app_secret: str = "sandbox-meta-app-secret"
    redirect_uris: list[str] = field(default_factory=lambda: list(DEFAULT_REDIRECT_URIS))
    versions: list[str] = field(default_factory=lambda: list(DEFAULT_VERSIONS))
    # Facebook Login for Business sends config_id instead of scope; each names its permissions.
    login_configs: dict[str, list[str]] = field(
        default_factory=lambda: {"sandbox-config": list(PUBLISHING_SCOPES)}
    )
    code_ttl: float = 600.0
    short_ttl: int = 3600  # user token from a code ("an hour or two")
    long_ttl: int = 5_183_944  # fb_exchange_token answer ("about 60 days")
    # Unverified whether exchanging kills the token exchanged. Strict default: it does.
    revoke_on_exchange: bool = True
    require_appsecret_proof: bool = True  # the app's "Require App Secret" switch
    # Sandbox-only hygiene rule: a token in the query string or form body is refused.
    header_tokens_only: bool = True
    container_ttl: float = 86_400.0  # IG containers expire after 24 h
    processing_delay: float = 1.0  # seconds from "all bytes arrived" to FINISHED / next phase
    container_error: int | None = None  # every processed container goes ERROR with this subcode
    publish_quota: int = 50  # content_publishing_limit quota_total (Meta's current example)
    quota_duration: int = 86_400
    page_reels_limit: int = 30  # API-published Reels per Page per rolling 24 h
    rate_limit_calls: int = 200  # calls per token per window before code 17/32/80001/80002
    rate_limit_window: float = 3600.0
    insights_lag: float = 0.0  # a media's insights are empty (`data: []`) while younger
    # Metrics Meta has retired since the reference was written (code 100 like any unknown
    # one): tests retire e.g. post_impressions_unique, which Page Insights dropped in 2025–26.
    retired_metrics: list[str] = field(default_factory=list)
    allow_http_pull: bool = False  # accept http:// video_url (loopback tests)
    pull_timeout: float = 60.0  # then the container is ERROR 2207003
    public_base_url: str | None = None  # base of rupload URIs and pictures (default: request)
    deauthorize_url: str | None = None  # where the signed deauthorize callback is POSTed
    data_deletion_url: str | None = None  # where the signed data deletion callback is POSTed
    seed: int = 1234
    fault_rate: float = 0.0
    fault_kinds: list[str] = field(default_factory=lambda: ["500", "503", "100/33"])
    slow_seconds: float = 2.0
