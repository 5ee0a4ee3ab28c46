"""Every platform package, registered explicitly: one `Platform` record per platform.

Adding a platform means adding its package and one record to `PLATFORMS`. The rooms above
(videos, posts, privacy, the dashboard) reach a platform only through its record here.
See docs/platforms/README.md for the interface part by part.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from studio.panels import Panel
from studio.platforms import meta, tiktok, youtube
from studio.platforms.erasure import Erasure
from studio.platforms.figures import Metrics
from studio.platforms.meta import connection as meta_connection
from studio.platforms.meta import erasure as meta_erasure
from studio.platforms.meta import metrics as meta_metrics
from studio.platforms.meta import options as meta_options
from studio.platforms.meta import rules as meta_rules
from studio.platforms.meta.page_reels import Sender as FacebookSender
from studio.platforms.meta.panels import meta_panel
from studio.platforms.meta.reels import Sender as InstagramSender
from studio.platforms.models import PLATFORM_WORDS, Account
from studio.platforms.options import Options
from studio.platforms.sending import Run
from studio.platforms.tiktok import erasure as tiktok_erasure
from studio.platforms.tiktok import metrics as tiktok_metrics
from studio.platforms.tiktok import options as tiktok_options
from studio.platforms.tiktok import restrictions as tiktok_restrictions
from studio.platforms.tiktok import services as tiktok_services
from studio.platforms.tiktok.panels import tiktok_panel
from studio.platforms.tiktok.sender import Sender as TikTokSender
from studio.platforms.video import Verdict, VideoInfo
from studio.platforms.youtube import connection as youtube_connection
from studio.platforms.youtube import erasure as youtube_erasure
from studio.platforms.youtube import metrics as youtube_metrics
from studio.platforms.youtube import options as youtube_options
from studio.platforms.youtube import rules as youtube_rules
from studio.platforms.youtube.panels import youtube_panel
from studio.platforms.youtube.sender import Sender as YouTubeSender


class UnknownPlatform(LookupError):
    """No platform of that name is registered (a row from a platform since removed)."""


@dataclass(frozen=True)
class Platform:
    """What the rest of the app may know about one platform."""

    name: str  # Account.platform and Delivery.platform; the URL prefix of its pages
    label: str  # how people call it
    init_app: Callable[[Flask], None]  # its pages, callbacks, commands and jobs
    accounts: Callable[[Session], Sequence[Account]]  # every account ever connected
    panel: Callable[[], Panel | None]  # its dashboard card (None when it has nothing to say)
    options: Options  # its section on the prepare page, its rules, what it will receive
    video_rules: Callable[[VideoInfo], Verdict]  # whether it can take a video, and why not
    sender: type[Run] | None = None  # moves a delivery to it; None: cannot publish yet
    page: tuple[str, str] | None = None  # its account page and nav label, if not <name>.index
    metrics: Metrics | None = None  # reads its figures (studio/metrics); None: it has none
    erasure: Erasure | None = None  # its part in owners' data requests; None: it has none
    # Whether this deployment offers it (its client is configured); TikTok always is.
    enabled: Callable[[Mapping[str, Any]], bool] = lambda _config: True


META_PAGE = ("meta.index", "Facebook & Instagram")  # one login, one page for both

# In the order pages list them.
PLATFORMS: tuple[Platform, ...] = (
    Platform(
        name="tiktok",
        label="TikTok",
        init_app=tiktok.init_app,
        accounts=tiktok_services.all_accounts,
        panel=tiktok_panel,
        options=tiktok_options.OPTIONS,
        video_rules=tiktok_restrictions.verdict,
        sender=TikTokSender,
        metrics=tiktok_metrics.METRICS,
        erasure=tiktok_erasure.ERASURE,
    ),
    Platform(
        name="youtube",
        label="YouTube",
        init_app=youtube.init_app,
        accounts=youtube_connection.all_accounts,
        panel=youtube_panel,
        options=youtube_options.OPTIONS,
        video_rules=youtube_rules.video_verdict,
        enabled=youtube_connection.enabled,
        sender=YouTubeSender,
        metrics=youtube_metrics.METRICS,
        erasure=youtube_erasure.ERASURE,
    ),
    # One Facebook login serves both: the meta package installs once, one dashboard card.
    Platform(
        name="facebook",
        label="Facebook",
        init_app=meta.init_app,
        accounts=meta_connection.facebook_accounts,
        panel=meta_panel,
        options=meta_options.FACEBOOK,
        video_rules=meta_rules.facebook_verdict,
        enabled=meta_connection.enabled,
        sender=FacebookSender,
        page=META_PAGE,
        metrics=meta_metrics.FACEBOOK_METRICS,
        erasure=meta_erasure.ERASURE,
    ),
    Platform(
        name="instagram",
        label="Instagram",
        init_app=meta.init_app,
        accounts=meta_connection.instagram_accounts,
        panel=meta_panel,
        options=meta_options.INSTAGRAM,
        video_rules=meta_rules.instagram_verdict,
        enabled=meta_connection.enabled,
        sender=InstagramSender,
        page=META_PAGE,
        metrics=meta_metrics.INSTAGRAM_METRICS,
        erasure=meta_erasure.ERASURE,
    ),
)


def _name_senders() -> None:
    """Give the deliveries' status words each sender's name and what it waits for."""
    PLATFORM_WORDS.clear()
    PLATFORM_WORDS.update(
        {p.name: (p.sender.label, p.sender.held_by) for p in PLATFORMS if p.sender}
    )


_name_senders()


def register(platform: Platform) -> None:
    """Add a platform at run time (tests register a dummy one this way)."""
    global PLATFORMS
    PLATFORMS = (*(p for p in PLATFORMS if p.name != platform.name), platform)
    _name_senders()


def unregister(name: str) -> None:
    """Remove a platform added by `register`."""
    global PLATFORMS
    PLATFORMS = tuple(p for p in PLATFORMS if p.name != name)
    _name_senders()


def get(name: str) -> Platform:
    """The platform called `name`."""
    for platform in PLATFORMS:
        if platform.name == name:
            return platform
    raise UnknownPlatform(name)


def sender_of(name: str) -> type[Run]:
    """The platform's sender; the generic one when it cannot publish (yet)."""
    return get(name).sender or Run


def label_of(name: str) -> str:
    """How people call the platform `name` (the name itself for one since removed)."""
    try:
        return get(name).label
    except UnknownPlatform:
        return name


def with_metrics() -> list[tuple[Platform, Metrics]]:
    """Every platform whose figures can be read, with its metrics part."""
    return [(p, p.metrics) for p in PLATFORMS if p.metrics is not None]


def erasures() -> list[Erasure]:
    """Each platform's part in owners' data requests, once (Meta's serves two platforms)."""
    return list(dict.fromkeys(p.erasure for p in PLATFORMS if p.erasure is not None))


def erasure_for(kind: str) -> Erasure | None:
    """The erasure that answers requests of `kind` ("tiktok", "meta"); None for other kinds."""
    return next((e for e in erasures() if e.kind == kind), None)


def erasure_of(name: str) -> Erasure | None:
    """The erasure of the platform `name` (an account's platform); None if it has none."""
    try:
        return get(name).erasure
    except UnknownPlatform:
        return None


def panels() -> list[Panel]:
    """Every platform's dashboard card that has something to say."""
    cards = dict.fromkeys(p.panel for p in PLATFORMS)  # a card shared by platforms shows once
    return [panel for card in cards if (panel := card()) is not None]


def init_app(app: Flask) -> None:
    """Install every platform's pages, callbacks, commands and jobs."""
    for install in dict.fromkeys(platform.init_app for platform in PLATFORMS):
        install(app)


def enabled(config: Mapping[str, Any]) -> list[Platform]:
    """The platforms this deployment offers, in the order pages list them."""
    return [p for p in PLATFORMS if p.enabled(config)]


def account_pages() -> list[tuple[str, str]]:
    """(endpoint, label) of each platform's account page, for the navigation (each once)."""
    return list(dict.fromkeys(p.page or (f"{p.name}.index", p.label) for p in PLATFORMS))


def account_choices(session: Session) -> list[tuple[str, str]]:
    """(id, label) of every account ever connected on every platform, for filters."""
    return [
        (str(a.id), f"{p.label}: {a.display_name or a.remote_id} (#{a.id})")
        for p in PLATFORMS
        for a in p.accounts(session)
    ]
