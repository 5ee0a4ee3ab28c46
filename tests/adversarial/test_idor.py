"""Staff reaching admin pages and other people's objects by id (IDOR); ids nobody has."""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.routing import Rule

from studio import db
from studio.audit import Action, Actor, record
from studio.auth.models import User
from tests.adversarial.conftest import Snapshot
from tests.adversarial.test_csrf import _url
from tests.helpers import csrf_token

FORBIDDEN = b"You do not have permission to open this page."
ADMIN_ENDPOINTS = {
    "staff.index",
    "staff.edit",
    "audit.seal",
    "privacy.requests",
    "privacy.request_detail",
    "privacy.approve",
    "privacy.run_now",
    "privacy.reject",
    "privacy.extend",
    "tiktok.connect",
    "tiktok.callback",
    "tiktok.disconnect",
    "tiktok.check",
}


def _rules(app: Flask, endpoints: set[str]) -> list[tuple[Rule, str]]:
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint in endpoints
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    assert {rule.endpoint for rule, _ in found} == endpoints
    return found


def test_staff_get_403_on_every_admin_route(app: Flask, world: dict, staff_client) -> None:
    token = csrf_token(staff_client, "/dashboard/")
    before = Snapshot(app)
    for rule, method in _rules(app, ADMIN_ENDPOINTS):
        data = {"csrf_token": token, "role": "admin", "active": "y", "email": "x@example.com"}
        response = staff_client.open(_url(rule, world), method=method, data=data)
        assert response.status_code == 403, (rule.rule, method)
        assert FORBIDDEN in response.data
    before.assert_unchanged()
    with app.app_context():
        assert db.session.get(User, world["staff_id"]).role == "staff"


def test_staff_cannot_delete_anothers_video(app: Flask, world: dict, staff_client) -> None:
    token = csrf_token(staff_client, "/dashboard/")
    before = Snapshot(app)
    response = staff_client.post(f"/videos/{world['video_id']}/delete", data={"csrf_token": token})
    assert response.status_code == 403
    assert FORBIDDEN in response.data
    before.assert_unchanged()


def test_staff_cannot_retry_anothers_post(app: Flask, world: dict, staff_client) -> None:
    token = csrf_token(staff_client, "/dashboard/")
    before = Snapshot(app)
    for url in (
        f"/posts/{world['post_id']}/retry",
        f"/posts/{world['post_id']}/deliveries/{world['delivery_id']}/retry",
    ):
        response = staff_client.post(url, data={"csrf_token": token})
        assert response.status_code == 403, url
        assert b"Only an admin or the person who sent this post can retry it." in response.data
    before.assert_unchanged()


def test_staff_cannot_touch_anothers_upload(app: Flask, world: dict, staff_client) -> None:
    token = csrf_token(staff_client, "/videos/upload")
    url = f"/videos/uploads/{world['upload_id']}"
    before = Snapshot(app)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    answers = [
        staff_client.get(url, headers=headers),
        staff_client.patch(
            url,
            data=b"\0" * 10,
            headers={
                **headers,
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": "0",
            },
        ),
        staff_client.delete(url, headers=headers),
    ]
    for response in answers:
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == (
            "This upload has expired or was cancelled. Start it again."
        )
    before.assert_unchanged()


def test_staff_cannot_change_an_admins_caption_template(
    app: Flask, world: dict, staff_client
) -> None:
    before = Snapshot(app)
    url = f"/posts/templates/{world['template_id']}"
    assert staff_client.get(f"{url}/edit").status_code == 403
    token = csrf_token(staff_client, "/posts/templates/")
    edit = {"csrf_token": token, "name": "Taken over", "caption": "Changed", "hashtags": ""}
    for response in (
        staff_client.post(f"{url}/edit", data=edit),
        staff_client.post(f"{url}/delete", data={"csrf_token": token}),
    ):
        assert response.status_code == 403
        assert b"Only the template&#39;s author or an admin can change or delete it." in (
            response.data
        )
    before.assert_unchanged()


def test_staff_cannot_read_an_admins_audit_entries(app: Flask, world: dict, staff_client) -> None:
    with app.app_context():
        admin = db.session.get(User, world["admin_id"])
        seq = record(Action.USER_UPDATED, actor=Actor.user(admin), summary="admin-only-note")
    detail = staff_client.get(f"/audit/{seq}")
    assert detail.status_code == 404
    assert b"There is no audit entry with that number that you may see." in detail.data
    listing = staff_client.get("/audit/", query_string={"actor": f"user:{world['admin_id']}"})
    assert listing.status_code == 200 and b"admin-only-note" not in listing.data
    token = csrf_token(staff_client, "/audit/")
    export = staff_client.post(
        "/audit/export",
        data={"csrf_token": token, "format": "jsonl", "actor": f"user:{world['admin_id']}"},
    )
    assert export.status_code == 400  # staff may only pick themselves as the actor
    assert b"The export could not be started: check the filters and try again." in export.data
    own = staff_client.post("/audit/export", data={"csrf_token": token, "format": "jsonl"})
    assert own.status_code == 200 and b"admin-only-note" not in own.data


HUGE = ["0", "2147483648", "9223372036854775808", "99999999999999999999999999"]


def test_ids_nobody_has_are_404_on_every_id_route(app: Flask, world: dict, admin_client) -> None:
    token = csrf_token(admin_client, "/dashboard/")
    before = Snapshot(app)
    checked = 0
    for number in HUGE:
        for rule in app.url_map.iter_rules():
            ids = re.findall(r"<int:(\w+)>", rule.rule)
            if not ids:
                continue
            url = _url(rule, world)
            for name in ids:
                url = url.replace(f"/{world[_key(name)]}", f"/{number}", 1)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = admin_client.open(url, method=method, data={"csrf_token": token})
                assert response.status_code == 404, (url, method, response.status_code)
                checked += 1
    assert checked >= 15 * len(HUGE)
    before.assert_unchanged()


def _key(argument: str) -> str:
    return {"user_id": "staff_id"}.get(argument, argument)


def test_guessed_or_forged_media_links_are_403(app: Flask, world: dict, client) -> None:
    from itsdangerous import URLSafeTimedSerializer

    from studio.posts.media import SALT, make_token
    from studio.posts.models import Post

    with app.app_context():
        sha = db.session.get(Post, world["post_id"]).video.content_hash
        ours = make_token(world["delivery_id"], sha)  # a FILE_UPLOAD delivery: nothing to pull
        wrong_file = make_token(world["delivery_id"], "0" * 64)
    forged = URLSafeTimedSerializer("not-our-secret-key", salt=SALT).dumps(
        {"p": world["post_id"], "s": sha}
    )
    cases = {
        "guessed": ("x" * 40, "The media link is not valid."),
        "forged": (forged, "The media link is not valid."),
        "tampered": (ours[:-2] + ("AA" if not ours.endswith("AA") else "BB"), "not valid"),
        "not_a_pull_post": (ours, "This media link is no longer valid."),
        "other_file": (wrong_file, "This media link is no longer valid."),
    }
    before = Snapshot(app)
    for name, (token, message) in cases.items():
        response = client.get(f"/media/{token}")
        assert response.status_code == 403, name
        assert message in response.get_data(as_text=True), name
    before.assert_unchanged()
    app.config["POSTS_MEDIA_URL_TTL"] = -1
    expired = client.get(f"/media/{ours}")
    assert expired.status_code == 403 and b"The media link has expired." in expired.data
