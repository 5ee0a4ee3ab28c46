"""Caption templates: saved, changed and deleted by their author or an admin, applied anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from studio import db
from studio.audit.models import AuditEntry
from studio.auth import services as auth_services
from studio.auth.models import Role, User
from studio.posts import presets
from studio.posts.models import CaptionTemplate
from studio.posts.presets import PresetError
from studio.privacy import export
from tests.conftest import make_user
from tests.helpers import ADMIN_PASSWORD, csrf_token

OTHER_PASSWORD = "quartz lantern meadow bicycle"


@pytest.fixture
def app(make_app) -> Flask:
    """Templates need no platform: the plain app."""
    return make_app()


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def _stored() -> list[tuple[str, str, list[str]]]:
    rows = db.session.scalars(select(CaptionTemplate).order_by(CaptionTemplate.id))
    return [(t.name, t.caption, t.hashtags) for t in rows]


def _kinds() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.seq)))


def signed_in(app: Flask, email: str, password: str) -> FlaskClient:
    """A fresh client signed in through the login form."""
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def save(client: FlaskClient, **fields: Any):
    data = {"csrf_token": csrf_token(client, "/posts/templates/"), **fields}
    return client.post("/posts/templates/", data=data)


def test_a_template_is_saved_normalised_with_its_author_and_audited(app, users) -> None:
    with app.test_request_context():
        admin = _user(users["admin"])
        template = presets.create(
            db.session, admin, "  Launch   day ", "New kettle\r\n", "sale, #New #sale"
        )
        assert (template.name, template.caption, template.hashtags) == (
            "Launch day",
            "New kettle",
            ["#sale", "#New"],
        )
        assert template.created_by_id == admin.id
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry.kind == "caption_template:saved"
        assert entry.summary == f"caption template {template.id} saved"  # no caption text
        assert presets.applied(template) == {"caption": "New kettle", "hashtags": "#sale #New"}


@pytest.mark.parametrize(
    ("name", "caption", "hashtags", "field", "message"),
    [
        ("   ", "Hello", "", "name", "Give the template a name."),
        ("x" * 81, "Hello", "", "name", "Keep the name to 80 characters."),
        ("Empty", "  ", " , # ", "caption", "Write a caption or some hashtags to save."),
        ("Long", "😀" * 1101, "", "caption", "2202 characters as TikTok counts them"),
        ("NUL", "a\x00b", "", "caption", "NUL character"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    app, users, name, caption, hashtags, field, message
) -> None:
    with app.test_request_context():
        with pytest.raises(PresetError) as caught:
            presets.create(db.session, _user(users["staff"]), name, caption, hashtags)
        assert caught.value.field == field and message in caught.value.message
        assert _stored() == [] and "caption_template:saved" not in _kinds()


def test_names_are_unique_whatever_their_case(app, users) -> None:
    with app.test_request_context():
        staff = _user(users["staff"])
        first = presets.create(db.session, staff, "Launch", "One", "")
        with pytest.raises(PresetError, match="already exists"):
            presets.create(db.session, staff, "LAUNCH", "Two", "")
        other = presets.create(db.session, staff, "Other", "Three", "")
        with pytest.raises(PresetError, match="already exists"):
            presets.update(db.session, other, staff, "launch", "Three", "")
        presets.update(db.session, first, staff, "Launch", "One, changed", "")  # its own name
        assert [row[:2] for row in _stored()] == [("Launch", "One, changed"), ("Other", "Three")]


def test_the_database_keeps_names_unique_whatever_their_case(app, users) -> None:
    """Two saves at the same moment both pass the service's check; the unique folded name keeps
    one (and the service then answers as for any taken name)."""
    with app.app_context():
        db.session.add(CaptionTemplate(name="Launch  day", caption="One"))
        db.session.commit()
        db.session.add(CaptionTemplate(name="LAUNCH DAY", caption="Two"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert [row[:2] for row in _stored()] == [("Launch  day", "One")]


def test_only_the_author_or_an_admin_may_change_a_template(app, users) -> None:
    make_user(app, "other@example.com", OTHER_PASSWORD, Role.STAFF)
    with app.test_request_context():
        staff, other, admin = (
            _user(e) for e in (users["staff"], "other@example.com", users["admin"])
        )
        template = presets.create(db.session, staff, "Mine", "Caption", "")
        with pytest.raises(PresetError, match="author or an admin"):
            presets.update(db.session, template, other, "Taken", "Changed", "")
        with pytest.raises(PresetError, match="author or an admin"):
            presets.delete(db.session, template, other)
        assert _stored() == [("Mine", "Caption", [])]
        presets.update(db.session, template, admin, "Mine", "By the admin", "#ok")
        presets.delete(db.session, template, staff)
        assert _stored() == []
        assert _kinds()[-3:] == [
            "caption_template:saved",
            "caption_template:changed",
            "caption_template:deleted",
        ]


def test_a_deleted_authors_templates_stay_without_their_address(app, users, admin_client) -> None:
    with app.test_request_context():
        staff = _user(users["staff"])
        template = presets.create(db.session, staff, "Kept", "Caption", "")
        template_id = template.id
        auth_services.delete_user(db.session, _user(users["admin"]), staff)
    page = admin_client.get("/posts/templates/").get_data(as_text=True)
    assert "By a former staff member" in page and "staff.invalid" not in page
    assert users["staff"] not in page
    token = csrf_token(admin_client, "/posts/templates/")
    deleted = admin_client.post(
        f"/posts/templates/{template_id}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 302
    with app.app_context():
        assert _stored() == []


def test_the_page_saves_a_template(app, users, staff_client) -> None:
    response = save(staff_client, name="Launch", caption="Meet the kettle", hashtags="kitchen")
    assert response.status_code == 302
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved the template “Launch”." in page and "#kitchen" in page
    assert "Edit Launch" in page  # its author may edit it
    with app.app_context():
        assert _stored() == [("Launch", "Meet the kettle", ["#kitchen"])]


def test_bad_input_on_the_page_says_why_and_stores_nothing(app, users, staff_client) -> None:
    response = save(staff_client, name="Dup", caption="😀" * 1101)
    assert response.status_code == 400
    assert "2202 characters as TikTok counts them" in response.get_data(as_text=True)
    save(staff_client, name="Dup", caption="First")
    response = save(staff_client, name="dup", caption="Second")
    assert response.status_code == 400
    assert "A template named “dup” already exists." in response.get_data(as_text=True)
    with app.app_context():
        assert _stored() == [("Dup", "First", [])]


def test_every_change_needs_the_csrf_token(app, users, staff_client) -> None:
    save(staff_client, name="Kept", caption="Caption")
    with app.app_context():
        template_id = db.session.scalar(select(CaptionTemplate.id))
    bare = [
        ("/posts/templates/", {"name": "New", "caption": "x"}),
        (f"/posts/templates/{template_id}/edit", {"name": "Renamed", "caption": "x"}),
        (f"/posts/templates/{template_id}/delete", {}),
    ]
    for url, data in bare:
        assert staff_client.post(url, data=data).status_code == 400, url
    with app.app_context():
        assert _stored() == [("Kept", "Caption", [])]


def test_other_staff_use_a_template_but_cannot_change_it(app, users, staff_client) -> None:
    save(staff_client, name="Staff's", caption="Caption")
    with app.app_context():
        template_id = db.session.scalar(select(CaptionTemplate.id))
    make_user(app, "other@example.com", OTHER_PASSWORD, Role.STAFF)
    other = signed_in(app, "other@example.com", OTHER_PASSWORD)
    page = other.get("/posts/templates/").get_data(as_text=True)
    assert "Staff&#39;s" in page and "Edit Staff" not in page
    assert other.get(f"/posts/templates/{template_id}/edit").status_code == 403
    token = csrf_token(other, "/posts/templates/")
    edit = {"csrf_token": token, "name": "Hijacked", "caption": "x"}
    assert other.post(f"/posts/templates/{template_id}/edit", data=edit).status_code == 403
    delete = other.post(f"/posts/templates/{template_id}/delete", data={"csrf_token": token})
    assert delete.status_code == 403
    with app.app_context():
        assert _stored() == [("Staff's", "Caption", [])]

    admin = signed_in(app, users["admin"], ADMIN_PASSWORD)
    token = csrf_token(admin, f"/posts/templates/{template_id}/edit")
    edit = {"csrf_token": token, "name": "Staff's", "caption": "Fixed by the admin"}
    assert admin.post(f"/posts/templates/{template_id}/edit", data=edit).status_code == 302
    delete = admin.post(f"/posts/templates/{template_id}/delete", data={"csrf_token": token})
    assert delete.status_code == 302
    with app.app_context():
        assert _stored() == []
    assert admin.get(f"/posts/templates/{template_id}/edit").status_code == 404


def test_the_prepare_form_applies_a_template_without_javascript(
    app, users, staff_client, make_stored_video
) -> None:
    video = make_stored_video()
    save(staff_client, name="Launch", caption="Meet the <kettle>", hashtags="kitchen sale")
    with app.app_context():
        template_id = db.session.scalar(select(CaptionTemplate.id))
    form = staff_client.get(f"/posts/new?video_id={video.id}").get_data(as_text=True)
    assert f'<option value="{template_id}"' in form and "Manage templates" in form
    data = {
        "csrf_token": csrf_token(staff_client, f"/posts/new?video_id={video.id}"),
        "video_id": video.id,
        "caption": "typed before",
        "product_name": "Kettle K2",
        "template": template_id,
        "apply": "1",
    }
    page = staff_client.post("/posts/new", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "Meet the &lt;kettle&gt;</textarea>" in html and 'value="#kitchen #sale"' in html
    assert 'value="Kettle K2"' in html  # the rest of the form is kept
    by_link = staff_client.get(f"/posts/new?video_id={video.id}&template={template_id}")
    assert "Meet the &lt;kettle&gt;</textarea>" in by_link.get_data(as_text=True)

    missing = staff_client.post("/posts/new", data={**data, "template": "999999"})
    assert missing.status_code == 404
    assert "That caption template no longer exists." in missing.get_data(as_text=True)
    unchosen = staff_client.post("/posts/new", data={**data, "template": ""})
    assert unchosen.status_code == 400
    assert "Choose a caption template to apply." in unchosen.get_data(as_text=True)


def test_a_staff_copy_lists_the_templates_they_wrote(app, users) -> None:
    with app.test_request_context():
        presets.create(db.session, _user(users["staff"]), "Mine", "Caption", "#tag")
        data = export._staff(db.session, users["staff"])
        assert [t["name"] for t in data["staff_caption_templates"]] == ["Mine"]
        assert export._staff(db.session, users["admin"])["staff_caption_templates"] == []
