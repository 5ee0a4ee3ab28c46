"""The dashboard card each room can contribute (the dashboard lists the rooms' panels)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Panel:
    """One card on the dashboard: a title, lines of text, and a link."""

    title: str
    lines: list[str] = field(default_factory=list)
    link_endpoint: str | None = None
    link_label: str | None = None
    tone: str = "neutral"  # neutral | good | warn | bad
    order: int = 50
