"""A platform's metrics part (`Metrics`) and what it hands back: figures per account and video.

Every figure is a lifetime total, or None when the platform did not give it (yet): a missing
figure is never stored or shown as 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from studio.platforms.models import Account, Delivery


class MetricsUnavailable(Exception):
    """The account cannot be read now; `reason` says why in plain words (shown to staff)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AllowanceSpent(Exception):
    """A collector used up the calls (or units) the round allowed it."""


@dataclass(frozen=True)
class AccountFigures:
    """An account's lifetime totals."""

    followers: int | None = None
    following: int | None = None
    likes: int | None = None
    videos: int | None = None


@dataclass(frozen=True)
class VideoFigures:
    """One video's lifetime totals (saves and reach only where the platform gives them)."""

    remote_id: str
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    reach: int | None = None
    title: str | None = None
    published_at: dt.datetime | None = None


@dataclass
class Harvest:
    """One account's round: its figures, its videos', the recent ones, and what it cost.

    `recent` are the account's newest videos as the platform lists them (published in the
    app or outside it); `note` says why the round stopped early, if it did.
    """

    account: AccountFigures | None = None
    videos: list[VideoFigures] = field(default_factory=list)
    recent: list[str] = field(default_factory=list)
    calls: int = 0
    units: int = 0
    note: str | None = None
    exhausted: bool = False  # the platform's quota is spent: skip its other accounts


@dataclass(frozen=True)
class Metrics:
    """A platform's metrics part (`Platform.metrics`; None for a platform without figures)."""

    collect: Callable[[Session, Account, list[str], int], Harvest]  # one account's round
    video_ids: Callable[[Delivery], list[str]]  # the platform's video ids of a delivery
    retention_days: int  # snapshots older than this are deleted (the platform's policy)
    scopes: Sequence[str]  # what reading figures needs the account to allow
    why: str  # why those scopes are asked for, on the account page ("": nothing new asked)
    allowance: str  # the config key of the calls (or units) a round may spend
    shared: bool = False  # True: the allowance is the platform's for all accounts together
    draft_origin: str = "sent from the app"  # how a video sent as a draft is described

    def missing_scopes(self, account: Account) -> list[str]:
        """The scopes the account has not granted."""
        return [s for s in self.scopes if not account.has_scope(s)]


def count(value: object) -> int | None:
    """A platform's count (an int, or a string of digits as Google sends) or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if number >= 0 else None


def batches(items: list[str], size: int) -> list[list[str]]:
    """`items` in order, `size` at a time."""
    return [items[i : i + size] for i in range(0, len(items), size)]
