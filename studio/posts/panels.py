"""The posts panel on the dashboard: in flight, in inboxes, failed."""

from __future__ import annotations

from studio import db
from studio.dashboard.panels import Panel, provider
from studio.posts import services


@provider
def posts_panel() -> Panel:
    """Counts of posts by outcome."""
    n = services.counts(db.session)
    lines = [
        f"{n['in_flight']} in flight",
        f"{n['in_inbox']} waiting in TikTok inboxes",
        f"{n['published']} published",
        f"{n['failed']} failed",
    ]
    tone = "bad" if n["failed"] else "good" if n["in_inbox"] or n["published"] else "neutral"
    return Panel("Posts", lines, "posts.index", "Open posts", tone, order=30)
