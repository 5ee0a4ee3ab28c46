"""Probing, the library's own checks and TikTok's video rules, on real generated files."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import av
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.platforms.tiktok.restrictions import Limits, check
from studio.videos import samples
from studio.videos.media import (
    MediaError,
    MediaRejected,
    RuleViolation,
    VideoInfo,
    make_poster,
    probe,
    sniff,
    validate,
)

GOOD = VideoInfo("mp4", "h264", 30.0, 1080, 1920, 30.0, True, 20_000_000)

BUILDERS = {
    "ok.mp4": lambda p: samples.make_video(p),
    "ok.mov": lambda p: samples.make_video(p, container="mov", audio=True),
    "vp9.webm": lambda p: samples.make_video(p, codec="vp9", container="webm", audio=True),
    "vp8.webm": lambda p: samples.make_video(p, codec="vp8", container="webm"),
    "hevc.mp4": lambda p: samples.make_video(p, codec="hevc", pattern="flat"),
    "landscape.mp4": lambda p: samples.make_video(p, width=1280, height=720, pattern="flat"),
    "low_fps.mp4": samples.make_low_fps,
    "high_fps.mp4": lambda p: samples.make_video(p, width=360, height=360, fps=120),
    "small.mp4": samples.make_small,
    "wide.mp4": lambda p: samples.make_video(p, width=4112, height=360, pattern="flat"),
    "short.mp4": lambda p: samples.make_video(p, seconds=1.0),
    "mpeg4.mp4": samples.make_wrong_codec,
    "mjpeg.avi": lambda p: samples.make_wrong_codec(p, "mjpeg", "avi"),
    "h264.mkv": lambda p: samples.make_video(p, container="mkv", pattern="flat"),
    "vp9.mp4": lambda p: samples.make_video(p, codec="vp9", container="mp4", pattern="flat"),
    "audio_only.mp4": samples.make_audio_only,
    "text.mp4": samples.make_not_video,
    "polyglot.mp4": samples.make_polyglot,
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every sample this module uses, generated once (about 2 s in all)."""
    folder = tmp_path_factory.mktemp("media")
    return {name: build(folder / name) for name, build in BUILDERS.items()}


def rejected(path: Path, **kwargs: object) -> list[tuple[str, str]]:
    """The (rule, message) pairs validate() raises for `path`: the library's, then TikTok's."""
    with pytest.raises(MediaRejected) as caught:
        validate(path, partial(check, **kwargs))
    return [(v.rule, v.message) for v in caught.value.violations]


@pytest.mark.parametrize(
    ("name", "kind"),
    [("ok.mp4", "mp4"), ("ok.mov", "mov"), ("vp9.webm", "webm"), ("vp8.webm", "webm")]
    + [("mjpeg.avi", None), ("h264.mkv", None), ("text.mp4", None), ("polyglot.mp4", "mp4")],
)
def test_sniff(files: dict[str, Path], name: str, kind: str | None) -> None:
    assert sniff(files[name]) == kind


def test_sniff_ignores_the_file_name(files: dict[str, Path], tmp_path: Path) -> None:
    disguised = tmp_path / "clip.webm"
    disguised.write_bytes(files["ok.mov"].read_bytes())
    assert sniff(disguised) == "mov"


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + bytes(4) + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (ftyp(b"mp42", b"isom"), "mp4"),
        (ftyp(b"XYZ1", b"mp41"), "mp4"),
        (ftyp(b"qt  ", b"qt  "), "mov"),
        (ftyp(b"heic", b"mif1", b"heic"), None),
        (ftyp(b"3gp4", b"3gp4"), None),
        (b"", None),
        (b"\x1a\x45\xdf\xa3\x84\x42\x82\x81w", None),
        (b"RIFF\0\0\0\0AVI LIST", None),
    ],
)
def test_sniff_magic_bytes(tmp_path: Path, head: bytes, kind: str | None) -> None:
    path = tmp_path / "upload.mp4"
    path.write_bytes(head + bytes(64))
    assert sniff(path) == kind


def test_probe_reads_a_valid_mp4(files: dict[str, Path]) -> None:
    path = files["ok.mp4"]
    expected = VideoInfo("mp4", "h264", 3.0, 540, 960, 30.0, False, os.path.getsize(path))
    assert probe(path) == expected


@pytest.mark.parametrize(
    ("name", "container", "codec", "audio"),
    [
        ("ok.mov", "mov", "h264", True),
        ("vp9.webm", "webm", "vp9", True),
        ("vp8.webm", "webm", "vp8", False),
        ("hevc.mp4", "mp4", "hevc", False),
    ],
)
def test_valid_videos_pass(
    files: dict[str, Path], name: str, container: str, codec: str, audio: bool
) -> None:
    info = validate(files[name])
    assert (info.container, info.video_codec, info.has_audio) == (container, codec, audio)
    assert (info.width, info.height, info.fps) == (540, 960, 30.0)
    assert info.duration_s == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("low_fps.mp4", [("frame_rate", "frame rate 15 fps; TikTok needs 23–60")]),
        ("high_fps.mp4", [("frame_rate", "frame rate 120 fps; TikTok needs 23–60")]),
        (
            "small.mp4",
            [
                ("width", "width 320 px; TikTok needs 360–4096"),
                ("height", "height 240 px; TikTok needs 360–4096"),
            ],
        ),
        ("wide.mp4", [("width", "width 4112 px; TikTok needs 360–4096")]),
        ("short.mp4", [("duration", "duration 1 s; TikTok needs at least 3 s")]),
        (
            "mpeg4.mp4",
            [("video_codec", "video codec mpeg4; TikTok accepts H.264, H.265, VP8 or VP9")],
        ),
        ("mjpeg.avi", [("container", "container avi; the library takes MP4, MOV or WebM")]),
        ("h264.mkv", [("container", "container matroska; the library takes MP4, MOV or WebM")]),
        ("vp9.mp4", [("codec_pairing", "VP9 video in MP4; MP4 needs H.264 or H.265")]),
        ("audio_only.mp4", [("video_stream", "no video stream")]),
        ("text.mp4", [("container", "not a video file; the library takes MP4, MOV or WebM")]),
        ("polyglot.mp4", [("readable", "file is damaged: unexpected data between MP4 boxes")]),
    ],
)
def test_each_rule_on_a_real_file(
    files: dict[str, Path], name: str, expected: list[tuple[str, str]]
) -> None:
    assert rejected(files[name]) == expected


@pytest.mark.slow
def test_too_long_real_file(tmp_path: Path) -> None:
    # 601 s at 24 fps is 14,424 frames: about 4 s to encode even flat and tiny, so one test only.
    path = samples.make_video(
        tmp_path / "long.webm",
        seconds=601,
        width=360,
        height=360,
        fps=24,
        codec="vp9",
        container="webm",
        pattern="flat",
    )
    assert rejected(path) == [("duration", "duration 10 min 1 s; TikTok accepts up to 10 min")]


def test_tiktok_names_a_container_and_codec_it_refuses(files: dict[str, Path]) -> None:
    assert [(v.rule, v.message) for v in check(probe(files["mjpeg.avi"]))] == [
        ("container", "container avi; TikTok accepts MP4, MOV or WebM"),
        ("video_codec", "video codec mjpeg; TikTok accepts H.264, H.265, VP8 or VP9"),
    ]


def test_creator_cap_applies_to_direct_posts(files: dict[str, Path]) -> None:
    expected = [("duration", "duration 3 s; this creator can post up to 2 s")]
    assert rejected(files["ok.mp4"], max_duration_s=2) == expected


@pytest.mark.parametrize("keep", [8, 100, 0.5, -1])
def test_truncated_files_are_refused_plainly(
    files: dict[str, Path], tmp_path: Path, keep: float
) -> None:
    source = files["ok.mp4"]
    size = os.path.getsize(source)
    cut = int(keep * size) if isinstance(keep, float) else keep % size
    path = samples.make_truncated(source, tmp_path / "cut.mp4", cut)
    with pytest.raises(MediaError) as caught:
        probe(path)
    assert caught.value.rule == "readable"
    assert "truncated" in str(caught.value)


@pytest.mark.parametrize("keep", [100, 0.5, -1])
def test_truncated_webm_is_refused(files: dict[str, Path], tmp_path: Path, keep: float) -> None:
    source = files["vp9.webm"]
    size = os.path.getsize(source)
    cut = int(keep * size) if isinstance(keep, float) else keep % size
    path = samples.make_truncated(source, tmp_path / "cut.webm", cut)
    assert rejected(path) == [
        ("readable", "file is truncated: it ends before its last part is complete")
    ]


def test_damaged_payload_is_a_media_error(files: dict[str, Path], tmp_path: Path) -> None:
    data = bytearray(files["ok.mp4"].read_bytes())
    at = data.index(b"mdat")
    end = at - 4 + int.from_bytes(data[at - 4 : at], "big")
    data[at + 4 : end] = bytes(end - at - 4)  # keep every box, zero the coded frames
    path = tmp_path / "zeroed.mp4"
    path.write_bytes(bytes(data))
    with pytest.raises(MediaError, match="no decodable frames|cannot be decoded"):
        probe(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["ok.mp4", "vp9.webm"]),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
)
def test_damaged_bytes_never_leak_pyav_errors(
    files: dict[str, Path], name: str, edits: list[tuple[float, int]]
) -> None:
    data = bytearray(files[name].read_bytes())
    for where, value in edits:
        data[int(where * len(data))] = value
    path = files[name].with_name(f"fuzzed-{name}")
    path.write_bytes(bytes(data))
    try:
        probe(path)
    except MediaError:
        pass


def test_check_constructed_info_passes() -> None:
    assert check(GOOD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # Multi-gigabyte and ten-minute files are too slow to generate in a unit test.
        ({"size_bytes": int(4.2 * 2**30)}, ("size", "size 4.2 GiB; limit 4 GiB")),
        ({"size_bytes": 4 * 2**30 + 1}, ("size", "size 4,294,967,297 bytes; limit 4 GiB")),
        (
            {"duration_s": 665.0},
            ("duration", "duration 11 min 5 s; TikTok accepts up to 10 min"),
        ),
        ({"duration_s": 600.4}, ("duration", "duration 10 min 0.4 s; TikTok accepts up to 10 min")),
        ({"fps": 22.99}, ("frame_rate", "frame rate 22.99 fps; TikTok needs 23–60")),
        ({"height": 4097}, ("height", "height 4097 px; TikTok needs 360–4096")),
        # FFmpeg's WebM muxer refuses H.264, so this pairing cannot be generated for real.
        (
            {"container": "webm"},
            ("codec_pairing", "H.264 video in WebM; WebM needs VP8 or VP9"),
        ),
    ],
)
def test_check_rules_on_constructed_info(change: dict, expected: tuple[str, str]) -> None:
    info = VideoInfo(**{**GOOD.__dict__, **change})
    assert check(info) == [RuleViolation(*expected)]


@pytest.mark.parametrize("fps", [23.0, 23.976, 29.97, 60.0])
def test_frame_rate_bounds_are_inclusive(fps: float) -> None:
    assert check(VideoInfo(**{**GOOD.__dict__, "fps": fps})) == []


def test_exactly_ten_minutes_passes_and_custom_limits_apply() -> None:
    assert check(VideoInfo(**{**GOOD.__dict__, "duration_s": 600.0})) == []
    strict = Limits(max_duration_s=180)
    message = "duration 3 min 20 s; TikTok accepts up to 3 min"
    info = VideoInfo(**{**GOOD.__dict__, "duration_s": 200.0})
    assert check(info, strict) == [RuleViolation("duration", message)]


def test_media_rejected_is_a_media_error(files: dict[str, Path]) -> None:
    with pytest.raises(MediaError):
        validate(files["low_fps.mp4"], check)


def jpeg_size(path: Path) -> tuple[int, int]:
    with av.open(str(path)) as image:
        stream = image.streams.video[0]
        return stream.width, stream.height


@pytest.mark.parametrize(
    ("name", "size"),
    [("ok.mp4", (360, 640)), ("landscape.mp4", (640, 360)), ("small.mp4", (320, 240))]
    + [("vp9.webm", (360, 640)), ("ok.mov", (360, 640))],
)
def test_make_poster(files: dict[str, Path], tmp_path: Path, name: str, size: tuple) -> None:
    dest = tmp_path / "poster.jpg"
    make_poster(files[name], dest)
    assert dest.read_bytes()[:2] == b"\xff\xd8"
    assert jpeg_size(dest) == size


def test_make_poster_at_a_chosen_time(files: dict[str, Path], tmp_path: Path) -> None:
    early, late = tmp_path / "early.jpg", tmp_path / "late.jpg"
    make_poster(files["ok.mp4"], early, at_s=0.0)
    make_poster(files["ok.mp4"], late, at_s=2.5)
    assert early.read_bytes() != late.read_bytes()  # the bar has moved


@pytest.mark.parametrize("name", ["text.mp4", "polyglot.mp4", "audio_only.mp4"])
def test_make_poster_refuses_non_videos(files: dict[str, Path], tmp_path: Path, name: str) -> None:
    with pytest.raises(MediaError):
        make_poster(files[name], tmp_path / "poster.jpg")
    assert not (tmp_path / "poster.jpg").exists()
