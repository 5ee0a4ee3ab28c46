"""Direct Post: off by default; TikTok's UX rules enforced on the server."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.platforms.models import Account, DeliveryStatus
from studio.platforms.tiktok import rules
from studio.platforms.tiktok.results import CreatorInfo
from studio.posts.models import Post
from tests.conftest import connect_tiktok
from tests.posts.conftest import drive, prepare, send


def creator(**changes: Any) -> CreatorInfo:
    base = dict(
        avatar_url="",
        username="u",
        nickname="N",
        privacy_level_options=["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
        comment_disabled=False,
        duet_disabled=False,
        stitch_disabled=False,
        max_video_post_duration_sec=60,
    )
    return CreatorInfo(**{**base, **changes})


def test_rules_need_a_privacy_choice():
    assert "privacy_level" in rules.problems(rules.DirectSettings(None), creator(), 5)
    assert rules.problems(rules.DirectSettings("SELF_ONLY"), creator(), 5) == {}


def test_rules_respect_disabled_interactions():
    found = rules.problems(
        rules.DirectSettings("SELF_ONLY", allow_comment=True, allow_duet=True, allow_stitch=True),
        creator(comment_disabled=True, duet_disabled=True, stitch_disabled=True),
        5,
    )
    assert set(found) == {"allow_comment", "allow_duet", "allow_stitch"}


def test_rules_branded_content_is_never_private():
    settings = rules.DirectSettings("SELF_ONLY", commercial=True, brand_content=True)
    assert rules.problems(settings, creator(), 5) == {"brand_content": rules.BRANDED_NOT_PRIVATE}


def test_rules_disclosure_needs_a_choice():
    found = rules.problems(rules.DirectSettings("SELF_ONLY", commercial=True), creator(), 5)
    assert found == {"commercial": rules.NEED_DISCLOSURE}


def test_rules_cap_the_duration():
    assert "duration" in rules.problems(rules.DirectSettings("SELF_ONLY"), creator(), 61)


def test_post_info_sends_every_boolean_and_labels():
    info = rules.post_info(
        rules.DirectSettings(
            "PUBLIC_TO_EVERYONE",
            allow_comment=True,
            commercial=True,
            brand_organic=True,
            brand_content=True,
        ),
        creator(duet_disabled=True),
        "Hi #a",
        True,
    )
    assert info == {
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "title": "Hi #a",
        "disable_comment": False,
        "disable_duet": True,
        "disable_stitch": True,
        "brand_content_toggle": True,
        "brand_organic_toggle": True,
        "is_aigc": True,
    }
    assert rules.content_label(True, True) == rules.LABEL_PAID
    assert rules.content_label(True, False) == rules.LABEL_PROMOTIONAL
    assert [t for t, _ in rules.consent_links(True)] == [
        "Branded Content Policy",
        "Music Usage Confirmation",
    ]


@pytest.fixture
def direct_app(app: Flask) -> Flask:
    app.config["TIKTOK_DIRECT_POST"] = True
    return app


def _connect(app: Flask, client, sandbox, creator_id: str) -> Account:
    response = connect_tiktok(client, sandbox, creator=creator_id)
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalars(select(Account).order_by(Account.id.desc())).first()


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Post.id)))


def test_direct_mode_is_off_by_default(app, sandbox, sandbox_client, account, video):
    page = sandbox_client.get(f"/posts/new?video_id={video.id}").get_data(as_text=True)
    assert 'value="direct"' not in page
    response = prepare(sandbox_client, video.id, account.id, mode="direct")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _count(app) == 0


def test_preview_has_no_default_privacy_and_greys_disabled_toggles(
    direct_app, sandbox, sandbox_client, video
):
    quiet = _connect(direct_app, sandbox_client, sandbox, "quiet")
    html = prepare(sandbox_client, video.id, quiet.id, mode="direct").get_data(as_text=True)
    select = html[html.index("<select data-privacy") : html.index("</select>")]
    assert '<option value="">Choose who can view</option>' in select
    assert "selected" not in select
    assert 'value="FOLLOWER_OF_CREATOR">Followers</option>' in html
    assert f'<input disabled id="a{quiet.id}-allow_duet"' in html
    assert f'<input disabled id="a{quiet.id}-allow_stitch"' in html
    assert f'<input id="a{quiet.id}-allow_comment"' in html
    assert html.count("Turned off for this account") == 2  # Duet and Stitch (private account)
    assert rules.MUSIC_URL in html and "Quiet Lab (private)" in html
    assert "publish this video to the TikTok account “Quiet Lab (private)”" in html


RULE_CASES = [
    ({}, "Choose who can view this video."),
    ({"privacy_level": "SELF_ONLY", "allow_duet": "y"}, "Duet is turned off"),
    (
        {"privacy_level": "SELF_ONLY", "commercial": "y", "brand_content": "y"},
        rules.BRANDED_NOT_PRIVATE,
    ),
    ({"privacy_level": "SELF_ONLY", "commercial": "y"}, "promotes yourself, a third party"),
    ({"privacy_level": "PUBLIC_TO_EVERYONE"}, "not available for this account"),
]


def test_direct_rules_are_enforced_on_the_server(direct_app, sandbox, sandbox_client, video):
    quiet = _connect(direct_app, sandbox_client, sandbox, "quiet")
    for fields, message in RULE_CASES:
        response, _ = send(sandbox_client, video.id, quiet.id, mode="direct", **fields)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True).replace("&#39;", "'"), fields
    assert _count(direct_app) == 0
    assert sandbox.state.summary()["counters"].get("inits", 0) == 0


def test_direct_post_is_published_with_the_chosen_settings(
    direct_app, sandbox, sandbox_client, video
):
    acme = _connect(direct_app, sandbox_client, sandbox, "acme")
    response, _ = send(
        sandbox_client,
        video.id,
        acme.id,
        mode="direct",
        privacy_level="PUBLIC_TO_EVERYONE",
        allow_comment="y",
        commercial="y",
        brand_organic="y",
        is_aigc="y",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    post = drive(direct_app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert post.status == DeliveryStatus.PUBLISHED
    published = sandbox.state.summary()["publishes"][post.remote_id]
    assert published["publish_type"] == "DIRECT_PUBLISH"
    info = published["post_info"]
    assert info["title"] == "New kettle\n\n#kitchen #Kettle"
    assert info["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert (info["disable_comment"], info["disable_duet"], info["disable_stitch"]) == (
        False,
        True,
        True,
    )
    assert info["brand_organic_toggle"] and not info["brand_content_toggle"] and info["is_aigc"]


def test_inbox_only_account_cannot_post_directly(direct_app, sandbox, sandbox_client, video):
    response = connect_tiktok(sandbox_client, sandbox, granted=["user.info.basic", "video.upload"])
    assert response.status_code == 302
    with direct_app.app_context():
        account = db.session.scalars(select(Account)).first()
        assert not account.has_scope("video.publish")
    preview = prepare(sandbox_client, video.id, account.id, mode="direct")
    assert preview.status_code == 400
    assert "did not allow direct posting" in preview.get_data(as_text=True)
    draft = prepare(sandbox_client, video.id, account.id).get_data(as_text=True)
    assert "Acme Studio" in draft  # user info fetched fresh instead of creator info


def test_videos_longer_than_the_creator_may_post_are_blocked(
    direct_app, sandbox, sandbox_client, video
):
    quiet = _connect(direct_app, sandbox_client, sandbox, "quiet")  # may post 180 s
    with direct_app.app_context():
        from studio.videos.models import Video

        db.session.get(Video, video.id).duration_s = 181.0  # as probed from a longer file
        db.session.commit()
    preview = prepare(sandbox_client, video.id, quiet.id, mode="direct").get_data(as_text=True)
    assert "this account may post at most 180 s" in preview and "data-blocked=" in preview
    response, _ = send(sandbox_client, video.id, quiet.id, mode="direct", privacy_level="SELF_ONLY")
    assert response.status_code == 400
    assert "at most 180 s" in response.get_data(as_text=True)
    assert _count(direct_app) == 0
