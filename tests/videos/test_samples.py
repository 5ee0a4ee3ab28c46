"""Sample builders make real, fast files with exactly the properties asked for."""

from __future__ import annotations

import os
import time
from fractions import Fraction
from pathlib import Path

import av
import pytest

from studio.videos import samples
from studio.videos.media import probe, sniff


def test_bundled_ffmpeg_encodes_every_codec_we_sample() -> None:
    assert samples.available_encoders() == dict.fromkeys(samples.ENCODERS, True)
    assert samples.default_codec() == "h264"


@pytest.mark.parametrize(
    ("codec", "container"),
    [("h264", "mp4"), ("h264", "mov"), ("hevc", "mp4"), ("vp8", "webm"), ("vp9", "webm")],
)
def test_make_video_has_the_requested_shape(tmp_path: Path, codec: str, container: str) -> None:
    path = samples.make_video(
        tmp_path / f"v.{container}",
        seconds=1.0,
        width=360,
        height=640,
        fps=24,
        codec=codec,
        container=container,
    )
    info = probe(path)
    assert (info.container, info.video_codec) == (container, codec)
    assert (info.width, info.height, info.fps, info.has_audio) == (360, 640, 24.0, False)
    assert info.duration_s == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("container", ["mp4", "webm"])
def test_make_video_with_audio(tmp_path: Path, container: str) -> None:
    codec = "vp9" if container == "webm" else "h264"
    path = samples.make_video(
        tmp_path / f"a.{container}", seconds=1.0, codec=codec, container=container, audio=True
    )
    with av.open(str(path)) as media:
        assert media.streams.audio[0].codec_context.name in {"aac", "opus"}
    assert probe(path).has_audio


def test_ntsc_frame_rate(tmp_path: Path) -> None:
    path = samples.make_video(tmp_path / "ntsc.mp4", seconds=1.0, fps=Fraction(30000, 1001))
    assert probe(path).fps == pytest.approx(29.97, abs=0.01)


def test_a_typical_sample_takes_under_a_second(tmp_path: Path) -> None:
    started = time.perf_counter()
    samples.make_video(tmp_path / "typical.mp4")
    assert time.perf_counter() - started < 1.0


def test_patterns_differ(tmp_path: Path) -> None:
    bars = samples.make_video(tmp_path / "bars.mp4", seconds=1.0)
    flat = samples.make_video(tmp_path / "flat.mp4", seconds=1.0, pattern="flat")
    assert os.path.getsize(flat) < os.path.getsize(bars)


def test_invalid_samples_break_one_thing_each(tmp_path: Path) -> None:
    assert probe(samples.make_low_fps(tmp_path / "low.mp4")).fps == 15.0
    small = probe(samples.make_small(tmp_path / "small.mp4"))
    assert (small.width, small.height) == (320, 240)
    assert probe(samples.make_wrong_codec(tmp_path / "m4.mp4")).video_codec == "mpeg4"
    assert probe(samples.make_audio_only(tmp_path / "audio.mp4")).video_codec is None


def test_not_video_polyglot_and_truncated(tmp_path: Path) -> None:
    assert sniff(samples.make_not_video(tmp_path / "text.mp4")) is None
    polyglot = samples.make_polyglot(tmp_path / "poly.mp4", garbage_bytes=100)
    assert sniff(polyglot) == "mp4" and os.path.getsize(polyglot) == 124
    source = samples.make_video(tmp_path / "whole.mp4", seconds=1.0)
    cut = samples.make_truncated(source, tmp_path / "cut.mp4", 500)
    assert cut.read_bytes() == source.read_bytes()[:500]
