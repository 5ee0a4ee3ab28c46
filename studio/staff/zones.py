"""Staff time zones: the profile's or the operator's; local wall times to UTC and back."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app
from flask_login import current_user

EARLIER, LATER = "earlier", "later"


class ZoneError(ValueError):
    """A local time that cannot be used as it is; the message is for people."""


class AmbiguousTime(ZoneError):
    """A local time that happens twice (clocks go back): the person must pick one."""

    def __init__(self, message: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.choices = choices


@cache
def names() -> list[str]:
    """Every IANA time zone name this system knows, sorted."""
    return sorted(available_timezones())


def valid(name: str | None) -> bool:
    """True for a time zone name zoneinfo can load."""
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_name(user: Any) -> str:
    """The person's time zone, or the operator's when they chose none."""
    chosen = getattr(user, "time_zone", None)
    return str(chosen) if valid(chosen) else str(current_app.config["OPERATOR_TIME_ZONE"])


def zone_of(user: Any) -> ZoneInfo:
    """The person's time zone as a ZoneInfo."""
    return ZoneInfo(zone_name(user))


def _offset(moment: dt.datetime) -> str:
    total = int((moment.utcoffset() or dt.timedelta()).total_seconds() // 60)
    sign, total = ("+" if total >= 0 else "-"), abs(total)
    hours, minutes = divmod(total, 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def describe(moment: dt.datetime) -> str:
    """An aware time as people read it: "2026-10-25 02:30 CEST (UTC+2)"."""
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()} ({_offset(moment)})"


def to_utc(wall: dt.datetime, zone: ZoneInfo, pick: str | None = None) -> dt.datetime:
    """A naive local wall time in ``zone`` as an aware UTC time.

    A time skipped by a daylight-saving jump is refused (ZoneError); a time that happens twice
    needs ``pick`` ("earlier" or "later"), otherwise AmbiguousTime names both.
    """
    wall = wall.replace(tzinfo=None, second=0, microsecond=0)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    back = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if back != wall:
        raise ZoneError(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks jump forward "
            f"over it that night ({_offset(first)} → {_offset(second)}). Choose another time."
        )
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(dt.UTC)
    if pick not in (EARLIER, LATER):
        choices = [
            (EARLIER, f"the first {wall:%H:%M}: {describe(first)}"),
            (LATER, f"the second {wall:%H:%M}: {describe(second)}"),
        ]
        raise AmbiguousTime(
            f"{wall:%Y-%m-%d %H:%M} happens twice in {zone.key} (the clocks go back that "
            "night). Choose which one you mean.",
            choices,
        )
    return (first if pick == EARLIER else second).astimezone(dt.UTC)


def to_local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A stored UTC time in ``zone``."""
    return value.astimezone(zone)


def format_local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """The template filter ``local``: a UTC time in the signed-in person's time zone."""
    if value is None:
        return "—"
    user = current_user if current_user and current_user.is_authenticated else None
    return to_local(value, zone_of(user)).strftime(fmt)
