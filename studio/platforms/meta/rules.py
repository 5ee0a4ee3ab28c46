"""The Reels spec and caption limits checked before sending, each broken rule named.

Every rule and its source: docs/platforms/meta.md, "Facebook Page Reels" and "App-side checks".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from studio.platforms.meta.errors import InvalidReel
from studio.platforms.video import RuleViolation, Verdict, VideoInfo

Target = Literal["instagram", "facebook"]


@dataclass(frozen=True)
class ReelSpec:
    """One platform's limits for a Reel (displayed width and height, after rotation)."""

    min_seconds: float
    max_seconds: float
    min_fps: float
    max_fps: float
    min_width: int = 0
    min_height: int = 0
    max_width: int | None = None
    aspect: tuple[int, int] | None = None  # exact shape required (9:16), within ASPECT_TOLERANCE
    aspect_range: tuple[float, float] | None = None  # width / height bounds
    max_bytes: int | None = None


# Facebook Page Reels: 3–90 s, 9:16, at least 540×960, 24–60 fps (reels-publishing guide).
FACEBOOK = ReelSpec(3.0, 90.0, 24.0, 60.0, min_width=540, min_height=960, aspect=(9, 16))
# Instagram Reels: 3 s – 15 min, 23–60 fps, at most 1920 px wide, aspect 0.01:1 to 10:1 (9:16
# recommended), 300 MB (IG User Media reference, "Reel specifications").
INSTAGRAM = ReelSpec(
    3.0, 900.0, 23.0, 60.0, max_width=1920, aspect_range=(0.01, 10.0), max_bytes=300 * 1024**2
)
SPECS: dict[str, ReelSpec] = {"instagram": INSTAGRAM, "facebook": FACEBOOK}
ASPECT_TOLERANCE = 0.01  # 1080×1920 is exactly 9:16; encoders round odd sizes by a pixel
MAX_CAPTION = 2200  # Instagram: characters
MAX_HASHTAGS = 30  # Instagram
MAX_MENTIONS = 20  # Instagram: @ tags
HASHTAG_RE = re.compile(r"(?<![\w#])#\w+")
MENTION_RE = re.compile(r"(?<![\w@])@[\w.]+")


@dataclass(frozen=True)
class VideoFacts:
    """What the app measured of the file (PyAV): displayed size, length, frame rate, bytes."""

    width: int
    height: int
    duration_s: float
    fps: float
    size_bytes: int


def video_problems(facts: VideoFacts, target: Target) -> list[InvalidReel]:
    """Every Reels spec rule the video breaks for `target` (empty when it may be sent)."""
    spec = SPECS[target]
    where = "Instagram Reels" if target == "instagram" else "Facebook Reels"
    found: list[InvalidReel] = []
    if not spec.min_seconds <= facts.duration_s <= spec.max_seconds:
        found.append(
            InvalidReel(
                "duration",
                f"{where} last {_num(spec.min_seconds)} to {_num(spec.max_seconds)} seconds; "
                f"this video lasts {facts.duration_s:.1f} s.",
            )
        )
    if not spec.min_fps <= facts.fps <= spec.max_fps:
        found.append(
            InvalidReel(
                "frame rate",
                f"{where} need {_num(spec.min_fps)} to {_num(spec.max_fps)} frames per second; "
                f"this video has {_num(round(facts.fps, 2))}.",
            )
        )
    found += _shape(facts, spec, where)
    if spec.max_bytes is not None and facts.size_bytes > spec.max_bytes:
        found.append(
            InvalidReel(
                "file size",
                f"{where} files are at most {spec.max_bytes // 1024**2} MB; this one is "
                f"{facts.size_bytes / 1024**2:.0f} MB.",
            )
        )
    return found


def video_verdict(info: VideoInfo, target: Target) -> Verdict:
    """Whether `target` takes the file as a Reel: its spec, each broken rule named."""
    facts = VideoFacts(info.width, info.height, info.duration_s, info.fps, info.size_bytes)
    return Verdict([RuleViolation(p.rule, p.message) for p in video_problems(facts, target)])


def instagram_verdict(info: VideoInfo) -> Verdict:
    """Whether Instagram takes the file as a Reel."""
    return video_verdict(info, "instagram")


def facebook_verdict(info: VideoInfo) -> Verdict:
    """Whether a Facebook Page takes the file as a Reel."""
    return video_verdict(info, "facebook")


def caption_problems(caption: str, target: Target) -> list[InvalidReel]:
    """Caption rules: Instagram's 2,200 characters, 30 hashtags and 20 @ tags."""
    if not isinstance(caption, str):
        return [InvalidReel("caption", "the caption must be text.")]
    if target != "instagram":
        return []
    found: list[InvalidReel] = []
    if len(caption) > MAX_CAPTION:
        found.append(
            InvalidReel(
                "caption", f"at most {MAX_CAPTION} characters on Instagram (it has {len(caption)})."
            )
        )
    tags = len(HASHTAG_RE.findall(caption))
    if tags > MAX_HASHTAGS:
        found.append(
            InvalidReel(
                "hashtags", f"at most {MAX_HASHTAGS} hashtags on Instagram (it has {tags})."
            )
        )
    mentions = len(MENTION_RE.findall(caption))
    if mentions > MAX_MENTIONS:
        found.append(
            InvalidReel(
                "mentions", f"at most {MAX_MENTIONS} @ tags on Instagram (it has {mentions})."
            )
        )
    return found


def problems(caption: str, facts: VideoFacts, target: Target) -> list[InvalidReel]:
    """Every broken rule of one Reel for one target: the video's, then the caption's."""
    return video_problems(facts, target) + caption_problems(caption, target)


def check(found: list[InvalidReel]) -> None:
    """Raise the first broken rule."""
    if found:
        raise found[0]


def _shape(facts: VideoFacts, spec: ReelSpec, where: str) -> list[InvalidReel]:
    width, height = facts.width, facts.height
    if width <= 0 or height <= 0:
        return [InvalidReel("frame size", "the video's width and height are unknown.")]
    found: list[InvalidReel] = []
    ratio = width / height
    if spec.aspect is not None:
        want = spec.aspect[0] / spec.aspect[1]
        if abs(ratio - want) > want * ASPECT_TOLERANCE:
            found.append(
                InvalidReel(
                    "aspect ratio",
                    f"{where} are {spec.aspect[0]}:{spec.aspect[1]} (vertical); this video is "
                    f"{width}×{height}.",
                )
            )
    if spec.aspect_range is not None and not spec.aspect_range[0] <= ratio <= spec.aspect_range[1]:
        low, high = spec.aspect_range
        found.append(
            InvalidReel(
                "aspect ratio",
                f"{where} are between {low}:1 and {_num(high)}:1; this video is {width}×{height}.",
            )
        )
    if width < spec.min_width or height < spec.min_height:
        found.append(
            InvalidReel(
                "resolution",
                f"{where} are at least {spec.min_width}×{spec.min_height}; this video is "
                f"{width}×{height}.",
            )
        )
    if spec.max_width is not None and width > spec.max_width:
        found.append(
            InvalidReel(
                "resolution",
                f"{where} are at most {spec.max_width} pixels wide; this video is {width}.",
            )
        )
    return found


def _num(value: float) -> str:
    return f"{value:g}"
