"""Rooms contribute summary panels to the dashboard home through a small registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Panel:
    """One card on the dashboard: a title, lines of text, and a link."""

    title: str
    lines: list[str] = field(default_factory=list)
    link_endpoint: str | None = None
    link_label: str | None = None
    tone: str = "neutral"  # neutral | good | warn | bad
    order: int = 50


_providers: list[Callable[[], Panel | None]] = []


def provider(fn: Callable[[], Panel | None]) -> Callable[[], Panel | None]:
    """Register a function that returns a Panel (or None to show nothing)."""
    _providers.append(fn)
    return fn


def collect_panels() -> list[Panel]:
    """Every registered room's panel, in order."""
    panels: list[Any] = [p for p in (fn() for fn in _providers) if p is not None]
    return sorted(panels, key=lambda p: p.order)
