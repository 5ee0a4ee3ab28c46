"""What the library reads of a video file: sniff, probe, the library's own checks, poster."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import av

from studio.platforms.video import CONTAINER_LABELS, RuleViolation, VideoInfo, join_or
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
    "STORED",
    "MediaError",
    "MediaRejected",
    "RuleViolation",
    "VideoInfo",
    "make_poster",
    "probe",
    "sniff",
    "validate",
]

# Demuxer forced per identified container, so FFmpeg never guesses a format (e.g. HLS or
# concat playlists, which can make it open other files or URLs).
_DEMUXERS = {"mp4": "mov", "mov": "mov", "webm": "matroska", "matroska": "matroska", "avi": "avi"}
# The containers the library stores and serves (file names, MIME types); platforms judge the rest.
STORED = ("mp4", "mov", "webm")
POSTER_MAX_SIDE = 640


class MediaRejected(MediaError):
    """A file the library refuses; each broken rule named."""

    def __init__(self, violations: list[RuleViolation]) -> None:
        super().__init__("; ".join(v.message for v in violations), violations[0].rule)
        self.violations = violations


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


def _accepted_containers() -> str:
    return f"the library takes {join_or([CONTAINER_LABELS[c] for c in STORED])}"


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
    # Rotation metadata is ignored: sizes are stored as encoded.
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


def validate(
    path: Path | str, rules: Callable[[VideoInfo], list[RuleViolation]] | None = None
) -> VideoInfo:
    """Sniff, probe and check a file; raise MediaRejected listing every broken rule.

    The library's own rules come first (a container it stores, a video stream); `rules`,
    when given, judges the rest (the platforms' verdicts, or one platform's).
    """
    try:
        info = probe(path)
    except MediaError as exc:
        raise MediaRejected([RuleViolation(exc.rule, str(exc))]) from exc
    violations = library_rules(info) or (rules(info) if rules else [])
    if violations:
        raise MediaRejected(violations)
    return info


def library_rules(info: VideoInfo) -> list[RuleViolation]:
    """What no platform is offered: a container the library does not store, no video stream."""
    found = []
    if info.container not in STORED:
        found.append(
            RuleViolation("container", f"container {info.container}; {_accepted_containers()}")
        )
    if info.video_codec is None:
        found.append(RuleViolation("video_stream", "no video stream"))
    return found


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
