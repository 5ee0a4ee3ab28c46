"""Each offered platform's verdict on a video, and the library's refusal when none can take it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from studio.platforms.video import VideoInfo
from studio.videos import suitability
from tests.videos.conftest import EVERY_PLATFORM

VERTICAL = VideoInfo("mp4", "h264", 30.0, 1080, 1920, 30.0, True, 20_000_000)


@pytest.fixture(autouse=True)
def offering(make_app) -> Iterator[None]:
    """A deployment that offers every platform."""
    with make_app(**EVERY_PLATFORM).app_context():
        yield


def words(info: VideoInfo) -> dict[str, str]:
    return {fit.label: fit.words for fit in suitability.fits(info)}


def test_a_vertical_half_minute_suits_every_platform() -> None:
    assert words(VERTICAL) == {
        "TikTok": "yes",
        "YouTube": "yes, as a Short",
        "Facebook": "yes",
        "Instagram": "yes",
    }
    assert suitability.refusals(VERTICAL) == []


def test_a_long_landscape_video_at_20_fps_suits_youtube_only() -> None:
    info = VideoInfo("mp4", "h264", 900.0, 1920, 1080, 20.0, True, 200_000_000)
    found = words(info)
    assert found["TikTok"] == (
        "frame rate 20 fps; TikTok needs 23–60; duration 15 min; TikTok accepts up to 10 min"
    )
    assert found["YouTube"].startswith("yes, as a regular video: it is landscape (1920×1080)")
    assert "Facebook Reels last 3 to 90 seconds" in found["Facebook"]
    assert (
        found["Instagram"] == "Instagram Reels need 23 to 60 frames per second; this video has 20"
    )
    assert ".;" not in found["Facebook"]  # each rule's full stop dropped where they are joined
    assert suitability.refusals(info) == []


def test_what_no_platform_takes_is_refused_naming_each_platforms_rule() -> None:
    # Landscape (no Facebook Reel) and bigger than TikTok, YouTube and Instagram take.
    info = VideoInfo("mp4", "h264", 30.0, 1920, 1080, 30.0, True, 300 * 2**30)
    found = [(v.rule, v.message) for v in suitability.refusals(info)]
    assert found[:2] == [
        ("tiktok:size", "TikTok: size 300 GiB; limit 4 GiB"),
        ("youtube:size", "YouTube: size 300 GiB; limit 256 GiB"),
    ]
    assert found[2][0] == "facebook:aspect ratio" and found[2][1].startswith("Facebook: ")
    assert found[-1] == (
        "instagram:file size",
        "Instagram: Instagram Reels files are at most 300 MB; this one is 307200 MB.",
    )


@pytest.mark.parametrize("fps", [20.0, 15.0])
def test_youtube_takes_frame_rates_tiktok_refuses(fps: float) -> None:
    info = VideoInfo("mp4", "h264", 30.0, 1080, 1920, fps, True, 20_000_000)
    fits = {fit.name: fit.ok for fit in suitability.fits(info)}
    assert fits == {"tiktok": False, "youtube": True, "facebook": False, "instagram": False}


def test_where_only_tiktok_is_offered_only_its_rules_count(make_app) -> None:
    """No YouTube client and no Meta app: their rules are not shown, and a video TikTok refuses
    is refused by the library (nothing here could publish it)."""
    info = VideoInfo("mp4", "h264", 30.0, 1080, 1920, 20.0, True, 20_000_000)
    with make_app().app_context():
        assert words(info) == {"TikTok": "frame rate 20 fps; TikTok needs 23–60"}
        assert [(v.rule, v.message) for v in suitability.refusals(info)] == [
            ("tiktok:frame_rate", "TikTok: frame rate 20 fps; TikTok needs 23–60")
        ]
        assert suitability.refusals(VERTICAL) == []
