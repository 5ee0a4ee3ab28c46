"""The demo Google accounts one can consent as, and their YouTube channels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    """A Google account; `channel_id` is None when it has no YouTube channel."""

    key: str
    subject: str
    channel_id: str | None
    title: str
    handle: str
    color: str


CHANNELS = (
    Channel(
        "brand",
        "109876543210000000001",
        "UCsbxAcmeStudio000000001",
        "Acme Studio",
        "@acmestudio",
        "#c4302b",
    ),
    Channel(
        "second",
        "109876543210000000002",
        "UCsbxAcmeLabs00000000002",
        "Acme Labs",
        "@acmelabs",
        "#1d6fa5",
    ),
    Channel("nochannel", "109876543210000000003", None, "No Channel", "", "#777777"),
)


def by_key(key: str) -> Channel | None:
    """The demo account with this key."""
    return next((c for c in CHANNELS if c.key == key), None)


def avatar_svg(channel: Channel) -> str:
    """A small round SVG avatar with the channel's initial."""
    initial = channel.title[:1].upper()
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="88" height="88" viewBox="0 0 88 88">'
        f'<circle cx="44" cy="44" r="44" fill="{channel.color}"/>'
        '<text x="44" y="58" font-size="40" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{initial}</text></svg>'
    )
