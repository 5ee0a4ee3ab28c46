"""Template helpers: navigation, formatting filters and global values."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app
from flask_login import current_user

# (endpoint, label, admin only); rooms not yet installed are skipped.
NAV = (
    ("dashboard.index", "Dashboard", False),
    ("videos.index", "Videos", False),
    ("posts.index", "Posts", False),
    ("tiktok.index", "TikTok account", False),
    ("audit.index", "Audit log", False),
    ("privacy.requests", "Deletion requests", True),
    ("staff.index", "Staff", True),
)


def nav_items() -> list[tuple[str, str]]:
    """The navigation entries this user may see."""
    if not current_user.is_authenticated:
        return []
    known = current_app.view_functions
    return [
        (ep, label)
        for ep, label, admin in NAV
        if ep in known and (not admin or current_user.is_admin)
    ]


def format_datetime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    """A UTC timestamp for people."""
    return value.astimezone(dt.UTC).strftime(fmt) if value else "—"


def format_bytes(value: int | None) -> str:
    """1536 → "1.5 KB" (decimal units, as people and TikTok count)."""
    if value is None:
        return "—"
    size = float(value)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def time_until(value: dt.datetime | None) -> str:
    """A short relative time: "in 3 h", "2 days ago"."""
    if value is None:
        return "—"
    seconds = (value - dt.datetime.now(dt.UTC)).total_seconds()
    past, seconds = seconds < 0, abs(seconds)
    for size, unit in ((86400, "day"), (3600, "h"), (60, "min")):
        if seconds >= size:
            n = int(seconds // size)
            text = f"{n} {unit}{'s' if unit == 'day' and n != 1 else ''}"
            break
    else:
        text = "moments"
    return f"{text} ago" if past else f"in {text}"


def init_app(app: Flask) -> None:
    """Register filters and globals."""
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["bytes"] = format_bytes
    app.jinja_env.filters["until"] = time_until
    app.jinja_env.globals["nav_items"] = nav_items

    @app.context_processor
    def _operator() -> dict[str, object]:
        cfg = app.config
        return {
            "operator": {
                "name": cfg["OPERATOR_NAME"],
                "email": cfg["OPERATOR_EMAIL"],
                "address": cfg["OPERATOR_ADDRESS"],
                "website": cfg["OPERATOR_WEBSITE"],
            },
            "demo_mode": cfg["ENV"] == "demo",
        }
