"""Video content checks against TikTok's restrictions: sniff, probe, check, poster."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import av

from studio.videos.container import (
    EBML_MAGIC,
    MediaError,
    check_structure,
    ebml_doctype,
    ftyp_brands,
    read_head,
    sniff,
)

__all__ = [
    "Limits",
    "MediaError",
    "MediaRejected",
    "RuleViolation",
    "VideoInfo",
    "check",
    "make_poster",
    "probe",
    "sniff",
    "validate",
]

# Demuxer forced per identified container, so FFmpeg never guesses a format (e.g. HLS or
# concat playlists, which can make it open other files or URLs).
_DEMUXERS = {"mp4": "mov", "mov": "mov", "webm": "matroska", "matroska": "matroska", "avi": "avi"}
_CODEC_LABELS = {"h264": "H.264", "hevc": "H.265", "vp8": "VP8", "vp9": "VP9"}
_CONTAINER_LABELS = {"mp4": "MP4", "mov": "MOV", "webm": "WebM"}
POSTER_MAX_SIDE = 640


@dataclass(frozen=True)
class RuleViolation:
    """One broken TikTok rule: a stable id and a plain-words message."""

    rule: str
    message: str


class MediaRejected(MediaError):
    """A video that breaks one or more of TikTok's rules."""

    def __init__(self, violations: list[RuleViolation]) -> None:
        super().__init__("; ".join(v.message for v in violations), violations[0].rule)
        self.violations = violations


@dataclass(frozen=True)
class VideoInfo:
    """What probing found in a video file."""

    container: str
    video_codec: str | None
    duration_s: float
    width: int
    height: int
    fps: float
    has_audio: bool
    size_bytes: int


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


def _identify(path: Path | str) -> str:
    """Container name for probing, including refused ones we can still read safely."""
    kind = sniff(path)
    if kind:
        return kind
    head = read_head(path)
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if ebml_doctype(head) == "matroska":
        return "matroska"
    brands = ftyp_brands(head)
    if brands:
        brand = "".join(c for c in brands[0].decode("latin-1") if c.isalnum()) or "?"
        raise MediaError(f"container ISO media '{brand}'; {_accepted_containers()}", "container")
    if head[4:8] == b"ftyp" or head.startswith(EBML_MAGIC):
        raise MediaError("file is damaged or truncated: its header is incomplete")
    raise MediaError(f"not a video file; {_accepted_containers()}", "container")


def _accepted_containers(limits: Limits | None = None) -> str:
    names = [_CONTAINER_LABELS.get(c, c) for c in (limits or Limits()).containers]
    return f"TikTok accepts {_join_or(names)}"


def _join_or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def probe(path: Path | str) -> VideoInfo:
    """Read a video's container, codec, size, frame rate and duration, or raise MediaError."""
    container = _identify(path)
    check_structure(path, container)
    try:
        with av.open(str(path), format=_DEMUXERS[container]) as media:
            return _info(media, container, os.path.getsize(path))
    except (av.FFmpegError, ValueError, IndexError) as exc:
        raise MediaError("file is damaged or incomplete: the video cannot be decoded") from exc


def _info(media: av.container.InputContainer, container: str, size: int) -> VideoInfo:
    has_audio = bool(media.streams.audio)
    duration = media.duration / av.time_base if media.duration else 0.0
    if not media.streams.video:
        return VideoInfo(container, None, duration, 0, 0, 0.0, has_audio, size)
    stream = media.streams.video[0]
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not duration and stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    if next(media.decode(stream), None) is None:
        raise MediaError("file is damaged or incomplete: the video has no decodable frames")
    # Rotation metadata is ignored: TikTok's size limits are the same for width and height.
    return VideoInfo(
        container=container,
        video_codec=stream.codec_context.name,
        duration_s=duration,
        width=stream.codec_context.width,
        height=stream.codec_context.height,
        fps=float(rate) if rate else 0.0,
        has_audio=has_audio,
        size_bytes=size,
    )


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


def _container_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    if info.container in limits.containers:
        return None
    return RuleViolation("container", f"container {info.container}; {_accepted_containers(limits)}")


def _codec_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    if info.video_codec in limits.video_codecs:
        return None
    names = _join_or([_CODEC_LABELS.get(c, c) for c in limits.video_codecs])
    return RuleViolation("video_codec", f"video codec {info.video_codec}; TikTok accepts {names}")


def _pairing_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    allowed = limits.pairings.get(info.container)
    if allowed is None or info.video_codec not in limits.video_codecs:
        return None  # already reported by the container or codec rule
    if info.video_codec in allowed:
        return None
    label = _CONTAINER_LABELS.get(info.container, info.container)
    names = _join_or([_CODEC_LABELS.get(c, c) for c in allowed])
    codec = _CODEC_LABELS.get(info.video_codec, info.video_codec)
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
    shown = _fmt_duration(info.duration_s)
    if info.duration_s < limits.min_duration_s:
        need = _fmt_duration(limits.min_duration_s)
        return RuleViolation("duration", f"duration {shown}; TikTok needs at least {need}")
    if max_duration_s is not None and info.duration_s > max_duration_s:
        cap = _fmt_duration(max_duration_s)
        return RuleViolation("duration", f"duration {shown}; this creator can post up to {cap}")
    if info.duration_s > limits.max_duration_s:
        cap = _fmt_duration(limits.max_duration_s)
        return RuleViolation("duration", f"duration {shown}; TikTok accepts up to {cap}")
    return None


def _fmt_duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds, 1), 60)
    rest = round(rest, 1)
    if not minutes:
        return f"{rest:g} s"
    return f"{int(minutes)} min" if not rest else f"{int(minutes)} min {rest:g} s"


def _size_rule(info: VideoInfo, limits: Limits) -> RuleViolation | None:
    if info.size_bytes <= limits.max_size_bytes:
        return None
    shown, limit = _fmt_size(info.size_bytes), _fmt_size(limits.max_size_bytes)
    if shown == limit:
        shown = f"{info.size_bytes:,} bytes"
    return RuleViolation("size", f"size {shown}; limit {limit}")


def _fmt_size(size: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"


def validate(
    path: Path | str, limits: Limits | None = None, *, max_duration_s: float | None = None
) -> VideoInfo:
    """Sniff, probe and check a file; raise MediaRejected listing every broken rule."""
    try:
        info = probe(path)
    except MediaError as exc:
        raise MediaRejected([RuleViolation(exc.rule, str(exc))]) from exc
    violations = check(info, limits, max_duration_s=max_duration_s)
    if violations:
        raise MediaRejected(violations)
    return info


def make_poster(path: Path | str, dest_path: Path | str, at_s: float | None = None) -> None:
    """Write a JPEG poster frame (long side at most 640 px) from about 10% into the video."""
    container = _identify(path)
    check_structure(path, container)
    try:
        with av.open(str(path), format=_DEMUXERS[container]) as media:
            frame = _frame_at(media, at_s)
        _write_jpeg(_fit(frame), dest_path)
    except (av.FFmpegError, ValueError, IndexError) as exc:
        raise MediaError("could not make a poster: the video cannot be decoded") from exc


def _frame_at(media: av.container.InputContainer, at_s: float | None) -> av.VideoFrame:
    if not media.streams.video:
        raise MediaError("no video stream", "video_stream")
    stream = media.streams.video[0]
    duration = media.duration / av.time_base if media.duration else 0.0
    target = at_s if at_s is not None else min(1.0, duration * 0.1)
    if target > 0 and stream.time_base:
        media.seek(int(target / stream.time_base), stream=stream)
    chosen = None
    for frame in media.decode(stream):
        chosen = frame
        if frame.time is None or frame.time >= target:
            break
    if chosen is None:
        raise MediaError("file is damaged or incomplete: the video has no decodable frames")
    return chosen


def _fit(frame: av.VideoFrame) -> av.VideoFrame:
    scale = min(1.0, POSTER_MAX_SIDE / max(frame.width, frame.height))
    width = max(2, round(frame.width * scale / 2) * 2)
    height = max(2, round(frame.height * scale / 2) * 2)
    return frame.reformat(width=width, height=height, format="yuvj420p")


def _write_jpeg(frame: av.VideoFrame, dest_path: Path | str) -> None:
    with av.open(str(dest_path), "w", format="mjpeg") as out:
        stream = out.add_stream("mjpeg", rate=1)
        stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "yuvj420p"
        frame.pts = 0
        out.mux(stream.encode(frame))
        out.mux(stream.encode())
