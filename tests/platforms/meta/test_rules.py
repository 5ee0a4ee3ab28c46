"""The Reels spec and caption rules, each broken rule named."""

from __future__ import annotations

import pytest

from studio.platforms.meta import rules
from studio.platforms.meta.errors import InvalidReel
from studio.platforms.meta.rules import VideoFacts, caption_problems, problems, video_problems

GOOD = VideoFacts(width=1080, height=1920, duration_s=30.0, fps=30.0, size_bytes=40 * 1024**2)


def _facts(**changes: float) -> VideoFacts:
    return VideoFacts(**{**GOOD.__dict__, **changes})


def _rules(found: list[InvalidReel]) -> list[str]:
    return [p.rule for p in found]


def test_a_good_reel_passes_both() -> None:
    assert problems("New lamp #design @acme", GOOD, "facebook") == []
    assert problems("New lamp #design @acme", GOOD, "instagram") == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"duration_s": 2.9}, "duration"),
        ({"duration_s": 90.5}, "duration"),
        ({"fps": 23.976}, "frame rate"),
        ({"fps": 120.0}, "frame rate"),
        ({"width": 1080, "height": 1080}, "aspect ratio"),
        ({"width": 1920, "height": 1080}, "aspect ratio"),
        ({"width": 360, "height": 640}, "resolution"),
        ({"width": 0, "height": 0}, "frame size"),
    ],
)
def test_facebook_reels_spec(changes: dict[str, float], rule: str) -> None:
    found = video_problems(_facts(**changes), "facebook")
    assert rule in _rules(found)
    assert all(p.plain.startswith(f"Meta will not accept the {p.rule}:") for p in found)


def test_facebook_messages_name_the_limit_and_the_value() -> None:
    (long,) = video_problems(_facts(duration_s=95.0), "facebook")
    assert long.message == "Facebook Reels last 3 to 90 seconds; this video lasts 95.0 s."
    (small,) = video_problems(_facts(width=540, height=959), "facebook")
    assert small.rule == "resolution" and "540×960" in small.message
    assert video_problems(_facts(width=541, height=961), "facebook") == []  # 9:16 within 1 %


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"duration_s": 2.0}, "duration"),
        ({"duration_s": 901.0}, "duration"),
        ({"fps": 22.0}, "frame rate"),
        ({"fps": 61.0}, "frame rate"),
        ({"width": 2160, "height": 3840}, "resolution"),
        ({"width": 1000, "height": 200_000}, "aspect ratio"),
        ({"size_bytes": 301 * 1024**2}, "file size"),
    ],
)
def test_instagram_reels_spec(changes: dict[str, float], rule: str) -> None:
    assert rule in _rules(video_problems(_facts(**changes), "instagram"))


def test_instagram_accepts_what_facebook_refuses() -> None:
    landscape_long = _facts(width=1920, height=1080, duration_s=120.0, fps=23.976)
    assert video_problems(landscape_long, "instagram") == []
    assert _rules(video_problems(landscape_long, "facebook")) == [
        "duration",
        "frame rate",
        "aspect ratio",
    ]


def test_instagram_caption_limits() -> None:
    assert caption_problems("x" * 2200, "instagram") == []
    assert _rules(caption_problems("x" * 2201, "instagram")) == ["caption"]
    tags = " ".join(f"#tag{n}" for n in range(31))
    assert _rules(caption_problems(tags, "instagram")) == ["hashtags"]
    assert caption_problems(" ".join(f"#tag{n}" for n in range(30)), "instagram") == []
    mentions = " ".join(f"@user.{n}" for n in range(21))
    assert _rules(caption_problems(mentions, "instagram")) == ["mentions"]
    assert caption_problems("mail me: a@b.example, C#minor, ##", "instagram") == []
    assert caption_problems("x" * 5000, "facebook") == []


def test_check_raises_the_first_broken_rule() -> None:
    with pytest.raises(InvalidReel) as first:
        rules.check(problems("#a " * 31, _facts(duration_s=1.0), "instagram"))
    assert first.value.rule == "duration"
    rules.check([])
