"""YouTube's options section: each broken rule named at its field; the body as sent."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from studio.platforms.models import Account, Mode
from studio.platforms.options import Common, Target
from studio.platforms.youtube import rules
from studio.platforms.youtube.options import OPTIONS

ACCOUNT = Account(id=7, platform="youtube", remote_id="UC1", display_name="Acme", scopes="")
MP4 = {"fps": 30.0, "size_bytes": 2_000_000, "container": "mp4", "video_codec": "h264"}
COMMON = Common("Kettle", ("#kitchen",), "Kettle\n\n#kitchen", True, 20.0, 1080, 1920, **MP4)
GOOD = {
    "title": "Kettle",
    "privacy_status": "private",
    "made_for_kids": "no",
    "category": "22",
    "tags": "a, b",
}


def section(**changes: str | None):
    data = {f"a7-{k}": v for k, v in {**GOOD, **changes}.items() if v is not None}
    return OPTIONS.prepare_form(MultiDict(data), "a7-", ACCOUNT)


def test_a_complete_section_passes_and_the_preview_is_what_the_sender_sends():
    form = section()
    assert OPTIONS.check_prepare(form, ACCOUNT, COMMON) == {}
    target = Target(ACCOUNT, "Acme", "", None)
    stored = OPTIONS.stored(form, None, target, COMMON)
    assert stored == {
        "title": "Kettle",
        "tags": ["a", "b"],
        "category_id": "22",
        "privacy_status": "private",
        "made_for_kids": False,
        "paid_product_placement": False,
        "notify_subscribers": False,  # the box was not ticked
    }
    body = OPTIONS.preview(form, None, target, COMMON)["body"]
    assert body["status"] == {
        "privacyStatus": "private",
        "selfDeclaredMadeForKids": False,
        "containsSyntheticMedia": True,  # the post's AI flag
    }
    assert body["snippet"]["description"] == "Kettle\n\n#kitchen"
    # The sender builds its body from the stored choices the same way: the preview is exact.
    sent = rules.from_options(stored, COMMON.caption, COMMON.title, COMMON.is_aigc)
    assert {**rules.video_resource(sent), "notifySubscribers": False} == body
    assert OPTIONS.mode(form, COMMON) == Mode.SHORT
    assert OPTIONS.preview(form, None, target, COMMON)["short"] is True


def test_an_empty_title_takes_the_captions_first_line():
    target = Target(ACCOUNT, "Acme", "", None)
    form = section(title="")
    assert OPTIONS.check_prepare(form, ACCOUNT, COMMON) == {}
    assert OPTIONS.preview(form, None, target, COMMON)["body"]["snippet"]["title"] == "Kettle"
    untitled = Common("", (), "", False, 20.0, 1080, 1920, **MP4)
    assert "title" in OPTIONS.check_prepare(form, ACCOUNT, untitled)


def test_each_rule_is_named_at_its_field():
    cases = [
        ({"privacy_status": None}, "privacy_status", "Choose private, unlisted or public."),
        ({"privacy_status": "secret"}, "privacy_status", "Choose private, unlisted or public."),
        ({"made_for_kids": None}, "made_for_kids", "made for kids"),
        ({"title": "<b>"}, "title", "< and >"),
        ({"title": "é" * 101}, "title", "At most 100"),
        ({"tags": "x" * 501}, "tags", "At most 500"),
        ({"category": "99"}, "category", "not an assignable category"),
    ]
    for changes, name, message in cases:
        found = OPTIONS.check_prepare(section(**changes), ACCOUNT, COMMON)
        assert name in found and message in found[name], (changes, found)


def test_a_landscape_video_is_not_a_short():
    wide = Common("", (), "", False, 20.0, 1920, 1080, **MP4)
    assert OPTIONS.mode(section(), wide) == Mode.VIDEO
