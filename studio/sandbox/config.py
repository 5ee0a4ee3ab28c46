"""The TikTok sandbox's configuration (one dataclass), and what every sandbox config shares."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

MIB = 1024 * 1024

DEFAULT_REDIRECT_URIS = [
    "http://127.0.0.1:5000/auth/tiktok/callback/",
    "http://localhost:5000/auth/tiktok/callback/",
]


class Settings:
    """Mixin for a sandbox's config dataclass: changes that refuse unknown keys, a JSON view."""

    __dataclass_fields__: ClassVar[dict[str, Any]]
    label: ClassVar[str] = "sandbox"  # named in the error for an unknown key
    hooks: ClassVar[tuple[str, ...]] = ()  # fields holding callables: shown by presence only

    @classmethod
    def of(cls, config: Self | dict[str, Any] | None) -> Self:
        """`config` itself, or the defaults with the given changes applied."""
        if isinstance(config, cls):
            return config
        made = cls()
        if isinstance(config, dict):
            made.update(config)
        return made

    def update(self, changes: dict[str, Any]) -> None:
        """Apply changes in place, refusing unknown keys."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise KeyError(f"unknown {self.label} config keys: {sorted(unknown)}")
        for key, value in changes.items():
            setattr(self, key, value)

    def public_dict(self) -> dict[str, Any]:
        """JSON-friendly view (callables are shown by presence only)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out.update({name: out[name] is not None for name in self.hooks})
        return out


@dataclass
class SandboxConfig(Settings):
    """Every knob of the sandbox; durations are in seconds, limits per access token."""

    hooks = ("fail_hook",)

    client_key: str = "sandbox-client-key"
    client_secret: str = "sandbox-client-secret"
    redirect_uris: list[str] = field(default_factory=lambda: list(DEFAULT_REDIRECT_URIS))
    # Newest docs: 2 h / 180 d with strict rotation. legacy_profile: 24 h / 365 d, no rotation.
    access_ttl: int = 7200
    refresh_ttl: int = 15_552_000
    legacy_profile: bool = False
    # Unverified: whether refreshing kills the previous access token. Strict default: it does.
    revoke_access_on_refresh: bool = True
    code_ttl: float = 300.0
    upload_url_ttl: float = 3600.0
    oauth_error_status: int = 200
    # TikTok docs: "Limits for each API are set and enforced separately", so each init
    # endpoint has its own 6/min budget per token.
    rate_limit_window: float = 60.0
    rate_limit_init: int = 6
    rate_limit_creator_info: int = 20
    rate_limit_status: int = 30
    rate_limit_user_info: int = 600
    rate_limit_cancel: int = 30
    rate_limit_video_query: int = 600  # Display API: 600 per minute per endpoint
    rate_limit_video_list: int = 600
    pending_share_limit: int = 5
    pending_share_window: float = 86_400.0
    daily_post_cap: int | None = None
    verified_url_prefixes: list[str] = field(default_factory=list)
    allow_http_pull: bool = False
    pull_timeout: float = 3600.0
    webhook_url: str | None = None
    webhook_retries: int = 2
    webhook_retry_delay: float = 0.2
    webhook_on_revoke: bool = True
    status_step_delay: float = 1.0
    inbox_auto_publish_after: float | None = None
    fail_reason: str | None = None
    fail_hook: Callable[[dict[str, Any]], str | None] | None = None
    unaudited: bool = False
    public_base_url: str | None = None
    # Creator id → display name shown by user/info and creator_info (e.g. hostile names in tests).
    display_names: dict[str, str] = field(default_factory=dict)
    # Fault injection.
    seed: int = 1234
    fault_rate: float = 0.0
    fault_kinds: list[str] = field(default_factory=lambda: ["500", "503", "429", "slow", "drop"])
    slow_seconds: float = 2.0
    access_token_max_age: float | None = None

    @property
    def effective_access_ttl(self) -> int:
        """Access token lifetime after applying the legacy profile."""
        return 86_400 if self.legacy_profile else self.access_ttl

    @property
    def effective_refresh_ttl(self) -> int:
        """Refresh token lifetime after applying the legacy profile."""
        return 31_536_000 if self.legacy_profile else self.refresh_ttl
