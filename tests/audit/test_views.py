"""Audit pages: who sees what, filters, keyset pages, detail, exports, sealing, timeline."""

from __future__ import annotations

import csv
import io
import json

from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.audit import Action, Actor, record, seals, services
from studio.audit.models import AuditEntry
from studio.auth.models import User
from tests.helpers import csrf_token


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def _seed(app: Flask) -> dict[str, int]:
    """Entries by the admin, by the staff member and by a job; returns some seqs."""
    admin, staff = _user(app, "admin@example.com"), _user(app, "staff@example.com")
    with app.app_context():
        mine = record(Action.USER_UPDATED, actor=Actor.user(admin), summary="admin-only action")
        theirs = record(Action.POST_SENT, actor=Actor.user(staff), summary="staff sent", post_id=5)
        job = record(
            Action.TIKTOK_REQUEST,
            actor=Actor.job("send"),
            summary="POST /v2/post/publish/inbox/video/init/ → 500",
            status="error",
            method="POST",
            endpoint="/v2/post/publish/inbox/video/init/",
            http_status=500,
            post_id=5,
            account_id=2,
            payload={
                "kind": "api",
                "request": {"url": "http://x/v2/post/publish/inbox/video/init/", "headers": {}},
                "response": {"status": 500, "headers": {}, "body": {"error": {"code": "x"}}},
            },
        )
    return {"admin": mine, "staff": theirs, "job": job}


def test_admin_sees_every_entry(app: Flask, admin_client: FlaskClient) -> None:
    _seed(app)
    html = admin_client.get("/audit/").get_data(as_text=True)
    assert "admin-only action" in html and "staff sent" in html and "inbox/video/init" in html
    assert "entries, protected against changes" in html and "hash chain" in html  # in details


def test_staff_see_only_their_own_entries(app: Flask, staff_client: FlaskClient) -> None:
    seqs = _seed(app)
    html = staff_client.get("/audit/").get_data(as_text=True)
    assert "staff sent" in html
    assert "admin-only action" not in html and "inbox/video/init" not in html
    assert "Save a checkpoint now" not in html
    # the actor filter cannot widen what they see
    other = staff_client.get("/audit/?actor=job").get_data(as_text=True)
    assert "inbox/video/init" not in other
    assert staff_client.get(f"/audit/{seqs['staff']}").status_code == 200


def test_detail_is_not_an_idor(app: Flask, staff_client: FlaskClient) -> None:
    seqs = _seed(app)
    for seq in (seqs["admin"], seqs["job"], 999):
        response = staff_client.get(f"/audit/{seq}")
        assert response.status_code == 404
        assert "admin-only action" not in response.get_data(as_text=True)


def test_detail_pretty_prints_request_and_response(app: Flask, admin_client: FlaskClient) -> None:
    seqs = _seed(app)
    html = admin_client.get(f"/audit/{seqs['job']}").get_data(as_text=True)
    assert "Request" in html and "Response" in html and "HTTP 500" in html
    assert "&#34;code&#34;: &#34;x&#34;" in html or '"code": "x"' in html


def test_filters(app: Flask, admin_client: FlaskClient) -> None:
    _seed(app)
    errors = admin_client.get("/audit/?errors=y").get_data(as_text=True)
    assert "inbox/video/init" in errors and "staff sent" not in errors
    by_kind = admin_client.get("/audit/?kind=post:sent").get_data(as_text=True)
    assert "staff sent" in by_kind and "admin-only action" not in by_kind
    by_text = admin_client.get("/audit/?text=publish/inbox").get_data(as_text=True)
    assert "inbox/video/init" in by_text and "staff sent" not in by_text
    by_account = admin_client.get("/audit/?account=2").get_data(as_text=True)
    assert "inbox/video/init" in by_account and "staff sent" not in by_account
    later = admin_client.get("/audit/?since=2999-01-01T00:00").get_data(as_text=True)
    assert "No entries match" in later
    earlier = admin_client.get("/audit/?until=2000-01-01T00:00").get_data(as_text=True)
    assert "No entries match" in earlier


def test_bad_filter_values_are_ignored_with_a_message(admin_client: FlaskClient) -> None:
    response = admin_client.get("/audit/?account=abc&since=yesterday")
    assert response.status_code == 200


def test_keyset_pages(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        for n in range(120):
            record(Action.POST_STATUS, actor=Actor.job("poll"), summary=f"poll {n:03d}")
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        first = services.list_entries(db.session, admin, services.Filters())
        second = services.list_entries(db.session, admin, services.Filters(), before=first.older)
        back = services.list_entries(db.session, admin, services.Filters(), after=second.newer)
    seqs = [e.seq for e in first.entries + second.entries]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 100
    assert [e.seq for e in back.entries] == [e.seq for e in first.entries]
    html = admin_client.get(f"/audit/?before={first.older}").get_data(as_text=True)
    assert "Older" in html and "Newer" in html


def _export(client: FlaskClient, fmt: str, **filters: str):
    token = csrf_token(client, "/audit/")
    return client.post("/audit/export", data={"csrf_token": token, "format": fmt, **filters})


def test_export_jsonl_is_streamed_filtered_and_audited(app: Flask, admin_client) -> None:
    _seed(app)
    response = _export(admin_client, "jsonl", kind="post:sent")
    assert response.is_streamed and response.mimetype == "application/x-ndjson"
    lines = [json.loads(x) for x in response.get_data(as_text=True).splitlines()]
    assert [x["summary"] for x in lines] == ["staff sent"]
    with app.app_context():
        last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert last.kind == "audit:exported" and json.loads(last.payload)["filters"] == {
        "kind": "post:sent"
    }


def test_export_csv_respects_visibility(app: Flask, staff_client: FlaskClient) -> None:
    _seed(app)
    response = _export(staff_client, "csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    summaries = {r["summary"] for r in rows}
    assert {"staff sent", "exported audit entries as csv"} <= summaries
    assert "admin-only action" not in summaries and not any("init" in s for s in summaries)
    staff_id = _user(app, "staff@example.com").id
    assert {r["actor_label"] for r in rows} == {f"staff #{staff_id}"}


def test_export_needs_csrf_and_a_known_format(admin_client: FlaskClient) -> None:
    assert admin_client.post("/audit/export", data={"format": "jsonl"}).status_code == 400
    assert _export(admin_client, "xml").status_code == 400


def test_csv_cells_cannot_become_formulas(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        record(Action.USER_UPDATED, summary="=HYPERLINK(1)")
    text = _export(admin_client, "csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_seal_now_is_for_admins(app: Flask, admin_client: FlaskClient) -> None:
    _seed(app)
    token = csrf_token(admin_client, "/audit/")
    response = admin_client.post("/audit/seal", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        count = services.entry_count(db.session)
    assert seals.last_seal(app).seq == count
    assert f"checkpoint saved through entry #{count}" in admin_client.get("/audit/").get_data(
        as_text=True
    )


def test_staff_cannot_seal(staff_client: FlaskClient) -> None:
    token = csrf_token(staff_client, "/audit/")
    assert staff_client.post("/audit/seal", data={"csrf_token": token}).status_code == 403


def test_anonymous_are_sent_to_sign_in(client: FlaskClient) -> None:
    assert client.get("/audit/").status_code == 302
    assert client.get("/audit/1").status_code == 302


def test_post_timeline(app: Flask, users) -> None:
    _seed(app)
    with app.test_request_context():
        admin, staff = _user(app, "admin@example.com"), _user(app, "staff@example.com")
        everything = services.entries_for_post(db.session, 5, admin)
        for_staff = services.entries_for_post(db.session, 5, staff)
        html = render_template("audit/_timeline.html", entries=everything)
    assert [e.summary for e in everything] == [e.summary for e in for_staff]
    assert "Activity log" in html and "HTTP 500" in html and "staff sent" in html


def test_timeline_hides_other_staff(app: Flask, users) -> None:
    admin, staff = _user(app, "admin@example.com"), _user(app, "staff@example.com")
    with app.app_context():
        record(Action.POST_RETRIED, actor=Actor.user(admin), summary="admin retried", post_id=8)
        assert services.entries_for_post(db.session, 8, staff) == []


def test_dashboard_panel(app: Flask, admin_client: FlaskClient) -> None:
    _seed(app)
    html = admin_client.get("/dashboard/").get_data(as_text=True)
    assert "entries, protected against changes" in html and "No checkpoint saved yet" in html


def test_erased_entry_says_so(app: Flask, admin_client: FlaskClient) -> None:
    seqs = _seed(app)
    with app.app_context():
        services.erase_payloads(db.session, 2)
        db.session.commit()
    html = admin_client.get(f"/audit/{seqs['job']}").get_data(as_text=True)
    assert "was erased" in html and "still verifies" in html


def test_form_bodies_are_shown_as_fields() -> None:
    from studio.audit.present import pretty

    assert json.loads(pretty("a=1&b=%5Bredacted%5D")) == {"a": "1", "b": "[redacted]"}
    assert pretty("plain words = not a form") == "plain words = not a form"


def test_failed_sign_in_reads_as_people_say_it(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        record(
            Action.AUTH_LOGIN_FAILED, actor=Actor.public(), summary="sign-in failed", status="error"
        )
    html = admin_client.get("/audit/").get_data(as_text=True)
    assert "Someone on the public site" in html and "public (public)" not in html
    assert "(public)" not in html


def test_every_platform_s_kinds_can_be_filtered(app: Flask, admin_client: FlaskClient) -> None:
    """A YouTube exchange is found by its own kind, apart from TikTok's (both are listed)."""
    from studio.audit import Action, Actor, record

    with app.app_context():
        record("youtube:request", actor=Actor.job("send"), summary="PUT /upload/youtube/v3/videos")
        record(Action.TIKTOK_REQUEST, actor=Actor.job("send"), summary="POST /v2/post/publish/x/")
    page = admin_client.get("/audit/?kind=youtube:request").get_data(as_text=True)
    assert "/upload/youtube/v3/videos" in page and "/v2/post/publish/x/" not in page
    assert 'value="youtube:request"' in page and 'value="meta:request"' in page
