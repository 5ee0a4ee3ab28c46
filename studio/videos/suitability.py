"""Which platforms can take a video: each one's verdict, and what makes the library refuse it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from studio.platforms import registry
from studio.platforms.video import RuleViolation, Verdict, VideoInfo, info_of
from studio.videos.models import Video


@dataclass(frozen=True)
class Fit:
    """One platform's verdict on one video, in words for the library's pages."""

    name: str
    label: str
    verdict: Verdict

    @property
    def ok(self) -> bool:
        """The platform can take the video."""
        return self.verdict.ok

    @property
    def words(self) -> str:
        """'yes', 'yes, as a Short', or every rule it breaks."""
        if self.ok:
            return f"yes, {self.verdict.note}" if self.verdict.note else "yes"
        return "; ".join(v.message.rstrip(".") for v in self.verdict.problems)


def fits(info: VideoInfo) -> list[Fit]:
    """The verdict on the video of every platform this deployment offers (a company without
    a Meta app has no use for Meta's rules), in the order pages list platforms."""
    offered = registry.enabled(current_app.config)
    return [Fit(p.name, p.label, p.video_rules(info)) for p in offered]


def refusals(info: VideoInfo) -> list[RuleViolation]:
    """Every platform's broken rules, named by platform, when none can take the video;
    empty when at least one can (each checks again when a post is prepared for it)."""
    found = fits(info)
    if any(fit.ok for fit in found):
        return []
    return [
        RuleViolation(f"{fit.name}:{v.rule}", f"{fit.label}: {v.message}")
        for fit in found
        for v in fit.verdict.problems
    ]


def fits_of(video: Video) -> list[Fit]:
    """Every platform's verdict on a stored video."""
    return fits(info_of(video, video.size_bytes))
