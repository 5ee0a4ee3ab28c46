"""TikTok's video restrictions: every rule a video breaks, in the words staff see.

Source: docs/platforms/tiktok.md, "Video restrictions".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from studio.platforms.video import (
    CODEC_LABELS,
    CONTAINER_LABELS,
    RuleViolation,
    Verdict,
    VideoInfo,
    fmt_duration,
    fmt_size,
    join_or,
)


def _default_pairings() -> Mapping[str, tuple[str, ...]]:
    # Conservative: MP4 can carry VP9, but TikTok only documents H.264/H.265 there.
    return {"mp4": ("h264", "hevc"), "mov": ("h264", "hevc"), "webm": ("vp8", "vp9")}


@dataclass(frozen=True)
class Limits:
    """TikTok's video restrictions (docs/platforms/tiktok.md, "Video restrictions")."""

    min_fps: float = 23
    max_fps: float = 60
    min_side: int = 360
    max_side: int = 4096
    # TikTok's own reference gives no minimum; several posting vendors document 3 s, so we
    # use the stricter value rather than have TikTok fail the post with duration_check_failed.
    min_duration_s: float = 3.0
    # The upload (inbox) endpoint takes up to 10 min; direct posts pass the creator's
    # max_video_post_duration_sec to check() instead.
    max_duration_s: float = 600.0
    max_size_bytes: int = 4 * 2**30
    video_codecs: tuple[str, ...] = ("h264", "hevc", "vp8", "vp9")
    containers: tuple[str, ...] = ("mp4", "mov", "webm")
    pairings: Mapping[str, tuple[str, ...]] = field(default_factory=_default_pairings)


def check(
    info: VideoInfo, limits: Limits | None = None, *, max_duration_s: float | None = None
) -> list[RuleViolation]:
    """Every TikTok rule `info` breaks; `max_duration_s` is the creator's direct-post cap."""
    limits = limits or Limits()
    found = [_container_rule(info, limits), _size_rule(info, limits)]
    if info.video_codec is None:
        found.append(RuleViolation("video_stream", "no video stream"))
    else:
        found += [
            _codec_rule(info, limits),
            _pairing_rule(info, limits),
            _fps_rule(info, limits),
            _side_rule("width", info.width, limits),
            _side_rule("height", info.height, limits),
            _duration_rule(info, limits, max_duration_s),
        ]
    return [v for v in found if v is not None]


def verdict(info: VideoInfo) -> Verdict:
    """Whether TikTok can take the video (as a draft or a direct post)."""
    return Verdict(check(info))


def refusal(info: VideoInfo) -> str | None:
    """Every rule the video breaks, in one line; None when TikTok can take it."""
    found = check(info)
    return "; ".join(v.message for v in found) if found else None


def _container_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    if info.container in limits.containers:
        return None
    names = join_or([CONTAINER_LABELS.get(c, c) for c in limits.containers])
    return RuleViolation("container", f"container {info.container}; TikTok accepts {names}")


def _codec_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    if info.video_codec in limits.video_codecs:
        return None
    names = join_or([CODEC_LABELS.get(c, c) for c in limits.video_codecs])
    return RuleViolation("video_codec", f"video codec {info.video_codec}; TikTok accepts {names}")


def _pairing_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    allowed = limits.pairings.get(info.container)
    if allowed is None or info.video_codec not in limits.video_codecs:
        return None  # already reported by the container or codec rule
    if info.video_codec in allowed:
        return None
    label = CONTAINER_LABELS.get(info.container, info.container)
    names = join_or([CODEC_LABELS.get(c, c) for c in allowed])
    codec = CODEC_LABELS.get(info.video_codec, info.video_codec)
    return RuleViolation("codec_pairing", f"{codec} video in {label}; {label} needs {names}")


def _fps_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    fps = round(info.fps, 2)
    if limits.min_fps <= fps <= limits.max_fps:
        return None
    return RuleViolation(
        "frame_rate",
        f"frame rate {fps:g} fps; TikTok needs {limits.min_fps:g}–{limits.max_fps:g}",
    )


def _side_rule(name: str, pixels: int, limits: Limits) -> RuleViolation | None:
    if limits.min_side <= pixels <= limits.max_side:
        return None
    return RuleViolation(
        name, f"{name} {pixels} px; TikTok needs {limits.min_side}–{limits.max_side}"
    )


def _duration_rule(
    info: VideoInfo, limits: Limits, max_duration_s: float | None
) -> RuleViolation | None:
    shown = fmt_duration(info.duration_s)
    if info.duration_s < limits.min_duration_s:
        need = fmt_duration(limits.min_duration_s)
        return RuleViolation("duration", f"duration {shown}; TikTok needs at least {need}")
    if max_duration_s is not None and info.duration_s > max_duration_s:
        cap = fmt_duration(max_duration_s)
        return RuleViolation("duration", f"duration {shown}; this creator can post up to {cap}")
    if info.duration_s > limits.max_duration_s:
        cap = fmt_duration(limits.max_duration_s)
        return RuleViolation("duration", f"duration {shown}; TikTok accepts up to {cap}")
    return None


def _size_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    if info.size_bytes <= limits.max_size_bytes:
        return None
    shown, limit = fmt_size(info.size_bytes), fmt_size(limits.max_size_bytes)
    if shown == limit:
        shown = f"{info.size_bytes:,} bytes"
    return RuleViolation("size", f"size {shown}; limit {limit}")
