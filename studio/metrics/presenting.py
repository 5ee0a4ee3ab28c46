"""Turning snapshots into charts and tables the templates show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.metrics import charts, queries
from studio.metrics.models import MetricRound
from studio.platforms.models import Account
from studio.platforms.registry import label_of


def safe_cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def account_label(account: Account) -> str:
    """ "TikTok: Acme Studio"."""
    name = account.display_name or account.handle or account.remote_id
    return f"{label_of(account.platform)}: {name}"


def chart(title: str, series: list[charts.Series]) -> dict[str, Any]:
    """The SVG, its series and the same numbers as table rows: (day, [value per series])."""
    days = sorted({d for line in series for d, _v in line.points})
    lookup = [dict(line.points) for line in series]
    rows = [(day, [values.get(day) for values in lookup]) for day in days]
    colours = [charts.colour(i) for i in range(len(series))]
    svg = charts.line_chart(title, series)
    return {"title": title, "svg": svg, "series": series, "rows": rows, "colours": colours}


def account_charts(session: Session, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One followers chart per account, with its table of the same numbers."""
    out = []
    for account, points in queries.account_series(session, start, end):
        label = account_label(account)
        series = [charts.Series("Followers", points)]
        out.append({"label": label, **chart(f"Followers of {label} per day", series)})
    return out


def totals_chart(session: Session, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Views and likes of every video together, per day."""
    days = queries.daily_totals(session, start, end)
    series = [
        charts.Series(name.capitalize(), [(d, v[name]) for d, v in days])
        for name in ("views", "likes")
    ]
    title = "Views and likes of all videos per day (lifetime totals)"
    return chart(title, series)


def post_charts(
    session: Session, post_id: int, start: dt.date, end: dt.date
) -> dict[str, Any] | None:
    """One chart per figure, a line per delivery: the same post side by side across accounts."""
    found = queries.post_series(session, post_id, start, end)
    if not found:
        return None
    graphs = []
    for name in queries.FIELDS:
        series = [
            charts.Series(
                account_label(delivery.account)
                + ("" if len(found) < 2 else f" ({video.remote_id})"),
                [(s.day, getattr(s, name)) for s in snaps],
            )
            for delivery, video, snaps in found
        ]
        title = f"{name.capitalize()} per day, each delivery of post #{post_id}"
        graphs.append(
            {
                "name": name,
                "title": title,
                "svg": charts.line_chart(title, series),
                "series": series,
            }
        )
    return {"graphs": graphs, "deliveries": found}


def rounds(session: Session) -> list[tuple[Account, MetricRound]]:
    """Each account's last round, for "read at … / why not" lines."""
    rows = session.execute(
        select(Account, MetricRound).join(MetricRound, MetricRound.account_id == Account.id)
    ).all()
    return [(a, r) for a, r in rows]
