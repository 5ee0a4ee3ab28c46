"""Fake TikTok creators the tester can log in as, each with a different posting profile."""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC_OPTIONS = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
PRIVATE_OPTIONS = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


@dataclass(frozen=True)
class Creator:
    """A fake TikTok account and how the sandbox treats its posts."""

    id: str
    open_id: str
    union_id: str
    username: str
    display_name: str
    bio: str
    color: str
    private: bool = False
    is_verified: bool = False
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int = 600
    daily_post_cap: int = 15
    creator_info_error: str | None = None
    banned: bool = False
    fail_reason: str | None = None
    follower_count: int = 1200
    following_count: int = 80
    likes_count: int = 45_000
    video_count: int = 37

    @property
    def privacy_level_options(self) -> list[str]:
        """Options TikTok offers this account (public and private accounts differ)."""
        return list(PRIVATE_OPTIONS if self.private else PUBLIC_OPTIONS)

    @property
    def is_duet_disabled(self) -> bool:
        """Private accounts never allow Duet."""
        return self.private or self.duet_disabled

    @property
    def is_stitch_disabled(self) -> bool:
        """Private accounts never allow Stitch."""
        return self.private or self.stitch_disabled


CREATORS: tuple[Creator, ...] = (
    Creator(
        id="acme",
        open_id="sbx-7f3a9c1e-0001-4d2b-9a51-acme00000001",
        union_id="sbx-union-0001-acme",
        username="acme.studio",
        display_name="Acme Studio",
        bio="Official Acme product videos.",
        color="#e4405f",
        is_verified=True,
    ),
    Creator(
        id="quiet",
        open_id="sbx-2b8e4d7f-0002-4c1a-8b32-quiet0000002",
        union_id="sbx-union-0002-quiet",
        username="quiet.lab",
        display_name="Quiet Lab (private)",
        bio="A private account: followers only, no duet or stitch.",
        color="#3b82f6",
        private=True,
        max_video_post_duration_sec=180,
    ),
    Creator(
        id="spammy",
        open_id="sbx-9c4f1a2b-0003-4e7d-a613-spammy000003",
        union_id="sbx-union-0003-spammy",
        username="too.many.posts",
        display_name="Too Many Posts",
        bio="Has hit the daily posting cap.",
        color="#f59e0b",
        daily_post_cap=0,
        creator_info_error="spam_risk_too_many_posts",
    ),
    Creator(
        id="broken",
        open_id="sbx-4d6e8f0a-0004-4b9c-b724-broken000004",
        union_id="sbx-union-0004-broken",
        username="bad.pixels",
        display_name="Bad Pixels",
        bio="Every upload fails processing.",
        color="#6b7280",
        comment_disabled=True,
        fail_reason="picture_size_check_failed",
        max_video_post_duration_sec=300,
    ),
    Creator(
        id="banned",
        open_id="sbx-1a3c5e7f-0005-4a8b-c835-banned000005",
        union_id="sbx-union-0005-banned",
        username="banned.user",
        display_name="Banned User",
        bio="Banned from posting: every init is refused.",
        color="#111827",
        banned=True,
        creator_info_error="spam_risk_user_banned_from_posting",
    ),
)


def by_id(creator_id: str) -> Creator | None:
    """Find a creator by its short id or its open_id."""
    for creator in CREATORS:
        if creator_id in (creator.id, creator.open_id):
            return creator
    return None


def avatar_svg(creator: Creator) -> str:
    """A tiny self-contained SVG avatar with the creator's initial."""
    initial = creator.display_name[:1].upper()
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">'
        f'<circle cx="50" cy="50" r="50" fill="{creator.color}"/>'
        '<text x="50" y="66" font-size="48" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{initial}</text></svg>'
    )
