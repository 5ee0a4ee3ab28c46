"""Video details checked before sending, each rule named; the Shorts verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from studio.platforms.retry import RetryAction
from studio.platforms.youtube.errors import InvalidMetadata, retry_action
from studio.platforms.youtube.rules import (
    check,
    problems,
    shorts_verdict,
    tags_length,
    units,
    video_resource,
)
from tests.platforms.youtube.support import details

LATER = datetime.now(UTC) + timedelta(days=2)


def _fields(**changes: Any) -> list[str]:
    return [p.field for p in problems(details(**changes))]


def test_valid_details_have_no_problem() -> None:
    assert problems(details()) == []
    check(details())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "snippet.title"),
        ({"title": "   "}, "snippet.title"),
        ({"title": "x" * 101}, "snippet.title"),
        ({"title": "😀" * 51}, "snippet.title"),  # 102 UTF-16 units, 51 code points
        ({"title": "A <b> title"}, "snippet.title"),
        ({"description": "é" * 2501}, "snippet.description"),  # 5002 bytes, 2501 characters
        ({"description": "a > b"}, "snippet.description"),
        ({"tags": ("ok", "")}, "snippet.tags"),
        ({"tags": ("<script>",)}, "snippet.tags"),
        ({"tags": ("a b",) * 100}, "snippet.tags"),  # 100 × 5 + 99 commas
        ({"category_id": "99"}, "snippet.categoryId"),
        ({"category_id": 22}, "snippet.categoryId"),
        ({"privacy_status": None}, "status.privacyStatus"),
        ({"privacy_status": "friends"}, "status.privacyStatus"),
        ({"made_for_kids": None}, "status.selfDeclaredMadeForKids"),
        ({"synthetic_media": None}, "status.containsSyntheticMedia"),
        (
            {"paid_product_placement": "no"},
            "paidProductPlacementDetails.hasPaidProductPlacement",
        ),
        ({"notify_subscribers": None}, "notifySubscribers"),
        ({"publish_at": datetime.now(UTC) - timedelta(hours=1), "privacy_status": "private"},
         "status.publishAt"),
        ({"publish_at": LATER, "privacy_status": "public"}, "status.publishAt"),
    ],
)  # fmt: skip
def test_each_rule_names_its_field(changes: dict[str, Any], field: str) -> None:
    assert _fields(**changes) == [field]
    with pytest.raises(InvalidMetadata) as caught:
        check(details(**changes))
    assert field in caught.value.plain and retry_action(caught.value) is RetryAction.TERMINAL


def test_limits_are_inclusive() -> None:
    assert units("😀" * 50) == 100
    assert tags_length(["a b", "cd"]) == 5 + 1 + 2
    edge = details(
        title="😀" * 50,
        description="é" * 2500,
        tags=("a b",) * 83 + ("abcd",),  # 83 × 5 + 4 + 83 commas = 502 → one less below
    )
    assert _fields(title=edge.title, description=edge.description) == []
    assert tags_length(edge.tags) == 502 and _fields(tags=edge.tags) == ["snippet.tags"]
    assert _fields(tags=("a b",) * 83 + ("ab",)) == []


def test_several_problems_are_all_listed() -> None:
    assert _fields(title="", privacy_status=None, made_for_kids=None) == [
        "snippet.title",
        "status.privacyStatus",
        "status.selfDeclaredMadeForKids",
    ]


def test_resource_carries_every_explicit_choice() -> None:
    body = video_resource(
        details(synthetic_media=True, paid_product_placement=True, privacy_status="private",
                publish_at=LATER)
    )  # fmt: skip
    assert body["status"]["containsSyntheticMedia"] is True
    assert body["status"]["selfDeclaredMadeForKids"] is False
    assert body["status"]["privacyStatus"] == "private"
    assert body["status"]["publishAt"].endswith("Z")
    assert body["paidProductPlacementDetails"] == {"hasPaidProductPlacement": True}
    assert set(body) == {"snippet", "status", "paidProductPlacementDetails"}


@pytest.mark.parametrize(
    ("width", "height", "seconds", "short", "words"),
    [
        (1080, 1920, 45, True, "vertical"),
        (1080, 1080, 180, True, "square"),
        (1080, 1920, 180.5, False, "at most 3 minutes"),
        (1920, 1080, 30, False, "landscape"),
        (0, 0, 30, False, "unknown"),
    ],
)
def test_shorts_verdict(width: int, height: int, seconds: float, short: bool, words: str) -> None:
    is_short, reason = shorts_verdict(width, height, seconds)
    assert is_short is short and words in reason
