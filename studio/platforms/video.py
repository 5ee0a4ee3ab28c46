"""A video's measured facts, the rules a platform finds broken, and its verdict on the video."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

CODEC_LABELS = {"h264": "H.264", "hevc": "H.265", "vp8": "VP8", "vp9": "VP9"}
CONTAINER_LABELS = {"mp4": "MP4", "mov": "MOV", "webm": "WebM"}


@dataclass(frozen=True)
class VideoInfo:
    """What probing found in a video file (sizes as stored, before any rotation)."""

    container: str
    video_codec: str | None
    duration_s: float
    width: int
    height: int
    fps: float
    has_audio: bool
    size_bytes: int


class Measured(Protocol):
    """Anything that carries a video's measured facts (a stored video, a post's, a parcel)."""

    @property
    def container(self) -> str: ...
    @property
    def video_codec(self) -> str | None: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def fps(self) -> float: ...


def info_of(measured: Measured, size_bytes: int) -> VideoInfo:
    """The facts as the platforms' video rules read them (no rule reads the sound)."""
    return VideoInfo(
        measured.container,
        measured.video_codec or None,  # the library stores "" for no video stream
        measured.duration_s,
        measured.width,
        measured.height,
        measured.fps,
        False,
        size_bytes,
    )


@dataclass(frozen=True)
class RuleViolation:
    """One broken rule: a stable id and a plain-words message."""

    rule: str
    message: str


@dataclass(frozen=True)
class Verdict:
    """Whether a platform can take a video: every rule it breaks, or how it would publish it."""

    problems: list[RuleViolation] = field(default_factory=list)
    note: str = ""  # when it can take it, how ("as a Short"); empty when that says nothing

    @property
    def ok(self) -> bool:
        """The platform can take the video."""
        return not self.problems


def join_or(names: list[str]) -> str:
    """'A', 'A or B', 'A, B or C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def fmt_duration(seconds: float) -> str:
    """'45 s', '4 min', '10 min 0.4 s'."""
    minutes, rest = divmod(round(seconds, 1), 60)
    rest = round(rest, 1)
    if not minutes:
        return f"{rest:g} s"
    return f"{int(minutes)} min" if not rest else f"{int(minutes)} min {rest:g} s"


def fmt_size(size: int) -> str:
    """'4 GiB', '1.5 MiB', '200 bytes'."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"
