"""Template helpers: navigation, formatting filters and global values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask, current_app
from flask_login import current_user

ACCOUNTS = "accounts"  # where the platforms' account pages go in NAV
# (endpoint, label, admin only); rooms not yet installed are skipped.
NAV = (
    ("dashboard.index", "Dashboard", False),
    ("videos.index", "Videos", False),
    ("posts.index", "Posts", False),
    ("posts.queue", "Queue", False),
    ("metrics.index", "Performance", False),  # only when METRICS_ENABLED
    (ACCOUNTS, "Accounts", False),  # every platform's account page that is installed
    ("audit.index", "Audit log", False),
    ("privacy.requests", "Deletion requests", True),
    ("staff.index", "Staff", True),
)
NavItem = tuple[str, str, list[tuple[str, str]]]  # endpoint, label, a menu's (endpoint, label)s


def _accounts() -> list[NavItem]:
    """One link to the only platform's account page, or an "Accounts" menu listing them all."""
    pages: Callable[[], list[tuple[str, str]]] = current_app.extensions["studio.account_pages"]
    known = current_app.view_functions
    found = [(ep, label) for ep, label in pages() if ep in known]
    if len(found) == 1:
        return [(found[0][0], f"{found[0][1]} account", [])]
    return [("", "Accounts", found)] if found else []


def nav_items() -> list[NavItem]:
    """The navigation entries this user may see; a menu has an empty endpoint and its links."""
    if not current_user.is_authenticated:
        return []
    known = current_app.view_functions
    items: list[NavItem] = []
    admin_pages: list[tuple[str, str]] = []
    for ep, label, admin in NAV:
        if ep == ACCOUNTS:
            items += _accounts()
        elif ep in known and admin and current_user.is_admin:
            admin_pages.append((ep, label))
        elif ep in known and not admin:
            items.append((ep, label, []))
    if admin_pages:  # one "Admin" menu keeps the bar on one line at laptop widths
        items.append(("", "Admin", admin_pages))
    return items


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


def time_until(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """A short relative time, rounded to the nearest unit: "in 2 h", "in 1 h 20 min", "2 days ago".

    Rounded, not truncated: a token that expires in 1 h 59 min 58 s is "in 2 h", not "in 1 h".
    """
    if value is None:
        return "—"
    seconds = (value - (now or dt.datetime.now(dt.UTC))).total_seconds()
    past, minutes = seconds < 0, round(abs(seconds) / 60)
    if minutes < 1:
        text = "moments"
    elif minutes < 60:
        text = f"{minutes} min"
    elif minutes < 180:
        hours, rest = divmod(minutes, 60)
        text = f"{hours} h" + (f" {rest} min" if rest else "")
    elif minutes < 48 * 60:
        text = f"{round(minutes / 60)} h"
    else:
        days = round(minutes / 1440)
        text = f"{days} days"
    return f"{text} ago" if past else f"in {text}"


def init_app(app: Flask, account_pages: Callable[[], list[tuple[str, str]]] = list) -> None:
    """Register filters and globals; `account_pages` lists the platforms' account pages."""
    app.extensions["studio.account_pages"] = account_pages
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
