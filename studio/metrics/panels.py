"""The dashboard card: the week's headline figures across every account."""

from __future__ import annotations

from flask import current_app

from studio import db
from studio.db import utcnow
from studio.metrics.queries import week_headlines
from studio.panels import Panel


def metrics_panel() -> Panel | None:
    """Views, likes and followers gained in the last 7 days (None while metrics are off)."""
    if not current_app.config["METRICS_ENABLED"]:
        return None
    week = week_headlines(db.session, utcnow().date())

    def said(value: int | None, noun: str) -> str:
        return f"{noun}: not available yet" if value is None else f"{noun}: +{value:,}"

    return Panel(
        "This week's performance",
        [
            said(week["views"], "Views"),
            said(week["likes"], "Likes"),
            said(week["followers"], "Followers"),
        ],
        "metrics.index",
        "Open Performance",
        order=35,
    )
