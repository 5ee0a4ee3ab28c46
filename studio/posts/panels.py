"""The posts panel on the dashboard: in flight, in inboxes, failed."""

from __future__ import annotations

from studio import db
from studio.panels import Panel
from studio.posts import services
from studio.posts.queries import COUNT_CAP


def posts_panel() -> Panel:
    """Counts of posts by outcome."""
    n = services.counts(db.session)
    lines = [
        f"{_shown(n['in_flight'])} in flight",
        f"{_shown(n['in_inbox'])} waiting in TikTok inboxes",
        f"{_shown(n['published'])} published",
        f"{_shown(n['failed'])} failed",
    ]
    tone = "bad" if n["failed"] else "good" if n["in_inbox"] or n["published"] else "neutral"
    return Panel("Posts", lines, "posts.index", "Open posts", tone, order=30)


def _shown(count: int) -> str:
    """A count as the dashboard shows it: capped counts read "1,000+"."""
    return f"{COUNT_CAP:,}+" if count >= COUNT_CAP else f"{count:,}"
