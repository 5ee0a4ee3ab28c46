"""Small real test videos, valid and invalid, generated with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Literal, cast

import av

Pattern = Literal["bars", "flat"]

# Our short codec names mapped to the encoder PyAV's bundled FFmpeg provides for them.
ENCODERS: dict[str, str] = {
    "h264": "libx264",
    "hevc": "libx265",
    "vp8": "libvpx",
    "vp9": "libvpx-vp9",
    "mpeg4": "mpeg4",
    "mjpeg": "mjpeg",
}
# Our container names mapped to FFmpeg muxer names.
MUXERS: dict[str, str] = {
    "mp4": "mp4",
    "mov": "mov",
    "webm": "webm",
    "avi": "avi",
    "mkv": "matroska",
}
AUDIO_ENCODERS: dict[str, str] = {"webm": "libopus", "mkv": "libopus"}
# Fast settings: samples are for tests and demos, so speed beats quality.
_OPTIONS: dict[str, dict[str, str]] = {
    "libx264": {"preset": "ultrafast", "crf": "35"},
    "libx265": {"preset": "ultrafast", "crf": "35", "x265-params": "log-level=none"},
    "libvpx": {"deadline": "realtime", "cpu-used": "8", "crf": "40", "b": "200k"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8", "crf": "50", "b": "0"},
}
_PIX_FMT: dict[str, str] = {"mjpeg": "yuvj420p"}


def available_encoders() -> dict[str, bool]:
    """Which of our codec names PyAV can encode here."""
    return {name: enc in av.codecs_available for name, enc in ENCODERS.items()}


def default_codec() -> str:
    """H.264 when libx264 is bundled, else MPEG-4 Part 2."""
    return "h264" if "libx264" in av.codecs_available else "mpeg4"


def make_video(
    path: Path | str,
    *,
    seconds: float = 3.0,
    width: int = 540,
    height: int = 960,
    fps: int | Fraction = 30,
    codec: str = "h264",
    container: str = "mp4",
    audio: bool = False,
    pattern: Pattern = "bars",
) -> Path:
    """Encode a real video file of the given shape and return its path."""
    path = Path(path)
    rate = Fraction(fps)
    frames = max(1, round(seconds * rate))
    with av.open(str(path), "w", format=MUXERS[container]) as out:
        stream = _video_stream(out, codec, width, height, rate)
        audio_stream = _audio_stream(out, container) if audio else None
        for index, frame in enumerate(_frames(width, height, frames, pattern)):
            frame.pts = index
            frame.time_base = 1 / rate
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
        if audio_stream is not None:
            _write_silence(out, audio_stream, frames / rate)
    return path


def _video_stream(
    out: av.container.OutputContainer, codec: str, width: int, height: int, rate: Fraction
) -> av.VideoStream:
    encoder = ENCODERS[codec]
    options = _OPTIONS.get(encoder, {})
    stream = cast(
        av.VideoStream, out.add_stream(encoder, rate=rate, options=options)
    )  # video codec
    stream.width, stream.height = width, height
    stream.pix_fmt = _PIX_FMT.get(codec, "yuv420p")
    return stream


def _audio_stream(out: av.container.OutputContainer, container: str) -> av.AudioStream:
    encoder = AUDIO_ENCODERS.get(container, "aac")
    return cast(av.AudioStream, out.add_stream(encoder, rate=48000, layout="mono"))  # audio codec


def _write_silence(
    out: av.container.OutputContainer, stream: av.AudioStream, seconds: Fraction
) -> None:
    samples_per_frame = stream.codec_context.frame_size or 1024
    total = int(seconds * stream.rate)
    fmt = stream.codec_context.format.name
    for start in range(0, total, samples_per_frame):
        frame = av.AudioFrame(format=fmt, layout="mono", samples=samples_per_frame)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.pts, frame.sample_rate = start, stream.rate
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def _frames(width: int, height: int, count: int, pattern: Pattern):
    """Yield `count` YUV 4:2:0 frames; "bars" moves a bright bar, "flat" is one grey."""
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane in frame.planes[1:]:
        plane.update(bytes([128]) * plane.buffer_size)
    luma = frame.planes[0]
    base = _bars_row(width, luma.line_size) if pattern == "bars" else bytes([110]) * luma.line_size
    luma.update(base * height)
    for index in range(count):
        if pattern == "bars":
            luma.update(_with_bar(base, index * 8 % width, width) * height)
        yield frame


def _bars_row(width: int, line_size: int) -> bytes:
    levels = (235, 210, 170, 145, 106, 81, 41, 16)
    row = bytes(levels[x * len(levels) // width] for x in range(width))
    return row + bytes(line_size - width)


def _with_bar(row: bytes, x: int, width: int) -> bytes:
    end = min(x + max(4, width // 16), width)
    return row[:x] + bytes([255]) * (end - x) + row[end:]


def make_low_fps(path: Path | str, fps: int = 15) -> Path:
    """An otherwise valid H.264 MP4 at a frame rate TikTok refuses."""
    return make_video(path, fps=fps, pattern="flat")


def make_small(path: Path | str, width: int = 320, height: int = 240) -> Path:
    """An otherwise valid H.264 MP4 below TikTok's 360 px minimum."""
    return make_video(path, width=width, height=height, pattern="flat")


def make_wrong_codec(path: Path | str, codec: str = "mpeg4", container: str = "mp4") -> Path:
    """A real video in a codec TikTok refuses (MPEG-4 Part 2 in MP4 by default)."""
    return make_video(path, codec=codec, container=container, pattern="flat")


def make_audio_only(path: Path | str, seconds: float = 3.0) -> Path:
    """An MP4 with an AAC track and no video stream."""
    path = Path(path)
    with av.open(str(path), "w", format="mp4") as out:
        _write_silence(out, _audio_stream(out, "mp4"), Fraction(seconds))
    return path


def make_not_video(path: Path | str) -> Path:
    """A text file wearing a video's name."""
    path = Path(path)
    path.write_text("This is not a video, whatever its name says.\n" * 20)
    return path


def make_truncated(source: Path | str, dest: Path | str, keep_bytes: int) -> Path:
    """Copy only the first `keep_bytes` bytes of `source`, like an interrupted upload."""
    dest = Path(dest)
    with open(source, "rb") as src:
        dest.write_bytes(src.read(keep_bytes))
    return dest


def make_polyglot(path: Path | str, garbage_bytes: int = 4096) -> Path:
    """A valid MP4 `ftyp` box followed by bytes that are no box at all."""
    path = Path(path)
    ftyp = (24).to_bytes(4, "big") + b"ftypisom" + (512).to_bytes(4, "big") + b"isomiso2"
    filler = bytes((i * 37 + 11) % 256 for i in range(garbage_bytes))
    path.write_bytes(ftyp + filler)
    return path
