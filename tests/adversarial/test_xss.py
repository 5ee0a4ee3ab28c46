"""Script injection through every field that comes back on a page: the page must show it as
text (escaped), never as markup, and always carry the CSP."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.platforms.models import Account
from studio.privacy.models import DeletionRequest
from studio.sandbox.webhooks import build_body, sign
from tests.adversarial.conftest import injected
from tests.conftest import connect_tiktok
from tests.helpers import csrf_token, delivery_of
from tests.posts.conftest import send
from tests.videos.conftest import uploader_for

ACME = "sbx-7f3a9c1e-0001-4d2b-9a51-acme00000001"


def payload(field: str) -> str:
    """Every classic breakout at once, tagged with the field it went into."""
    return (
        f'<script id="xss-{field}">alert(1)</script>'
        f'"><img src=x onerror=alert(1) id="xss-{field}-img">'
        f"'><svg onload=alert(1) id='xss-{field}-svg'>"
        f'<a href="javascript:alert(1)" id="xss-{field}-a">x</a>'
        f"</textarea></title><iframe id='xss-{field}-frame'></iframe>"
    )


def assert_clean(response, *fields: str) -> str:
    """No injected markup, CSP present, and each field's payload visible as text."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body
    assert injected(body) == [], (response.request.path, injected(body))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    text = html.unescape(body)
    for field in fields:
        assert f'id="xss-{field}"' in text or f"xss-{field}" in text, (field, response.request.path)
    return body


def test_hostile_names_captions_tags_products_and_webhooks_render_as_text(
    app: Flask, sandbox, sandbox_client, sample_mp4: Path
) -> None:
    client = sandbox_client
    # A TikTok display name (the sandbox's creator name is attacker-controlled here).
    sandbox.configure(display_names={"acme": "Acme " + payload("name")})
    connected = connect_tiktok(client, sandbox)
    assert connected.status_code == 302
    assert_clean(client.get("/tiktok/"), "name")
    # A file name (the upload API cleans it; whatever remains is text).
    name = '"><img src=x onerror=alert(1) id="xss-file"><svg onload=alert(1)>.mp4'
    done = uploader_for(client).send(sample_mp4.read_bytes(), name)
    assert done.status_code == 200, done.get_json()
    video_id = done.get_json()["video_id"]
    assert_clean(client.get("/videos/"), "file")
    assert_clean(client.get(f"/videos/{video_id}"), "file")
    with app.app_context():
        account_id = db.session.scalar(select(Account.id))
    fields = {
        "caption": payload("caption"),
        "hashtags": "#ok " + payload("tags"),
        "product_name": payload("product")[:200],
        "product_sku": '"><b id="xss-sku">',
    }
    # The prepare form echoes every field (also when it refuses them).
    preview = client.post(
        "/posts/new",
        data={
            "csrf_token": csrf_token(client, f"/posts/new?video_id={video_id}"),
            "video_id": video_id,
            "account_id": account_id,
            "mode": "draft",
            **fields,
        },
    )
    assert_clean(preview, "caption")
    sent, _ = send(client, video_id, account_id, **{**fields, "hashtags": "#kettle"})
    assert sent.status_code == 302, sent.get_data(as_text=True)
    post_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    assert_clean(client.get(f"/posts/{post_id}"), "caption")
    assert_clean(client.get("/posts/"))
    # Webhook fields: a failure reason, a post id and the event name itself.
    with app.app_context():
        publish_id = delivery_of(post_id).remote_id
    for event, content in [
        ("post.publish.publicly_available", {"publish_id": publish_id, "post_id": payload("pid")}),
        ("post.publish.failed", {"publish_id": publish_id, "reason": payload("reason")}),
        (payload("event")[:60], {"publish_id": publish_id}),
    ]:
        body = build_body("sandbox-client-key", event, ACME, content)
        answer = client.post(
            "/webhooks/tiktok",
            data=body,
            headers={
                "TikTok-Signature": sign("sandbox-client-secret", int(time.time()), body),
                "Content-Type": "application/json",
            },
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
    assert_clean(client.get(f"/posts/{post_id}"), "pid", "reason")
    status = client.get(f"/posts/{post_id}/status.json")
    assert status.mimetype == "application/json"
    # Every audit page an admin can open.
    assert_clean(client.get("/audit/"))
    with app.app_context():
        seqs = list(db.session.scalars(select(AuditEntry.seq)))
    for seq in seqs:
        assert_clean(client.get(f"/audit/{seq}"))
    assert_clean(client.get("/dashboard/"))


def test_hostile_deletion_requests_render_as_text(app: Flask, client, admin_client) -> None:
    public = app.test_client()
    token = csrf_token(public, "/data-deletion")
    answer = public.post(
        "/data-deletion", data={"csrf_token": token, "kind": "tiktok", "name": payload("req")}
    )
    assert answer.status_code == 303
    received = public.get("/data-deletion/received")
    code = re.search(r'data-code="([A-Z0-9]+)"', received.get_data(as_text=True)).group(1)
    refused = public.post(
        "/data-deletion",
        data={"csrf_token": token, "kind": "email", "email": payload("mail")},
    )
    assert refused.status_code == 400
    body = assert_clean(refused, "mail")
    assert "Enter a valid e-mail address." in body
    with app.app_context():
        req_id = db.session.scalar(select(DeletionRequest.id))
    assert_clean(admin_client.get("/privacy/requests"))
    # The name is kept encrypted and never shown to staff (only its hash): nothing to inject.
    assert "xss-req" not in admin_client.get(f"/privacy/requests/{req_id}").get_data(as_text=True)
    reject = admin_client.post(
        f"/privacy/requests/{req_id}/reject",
        data={
            "reject-csrf_token": csrf_token(admin_client, f"/privacy/requests/{req_id}"),
            "reject-reason": payload("reason"),
        },
    )
    assert reject.status_code == 302
    assert_clean(public.get(f"/data-deletion/status/{code}"), "reason")
    assert_clean(admin_client.get(f"/privacy/requests/{req_id}"), "reason")


def test_status_json_is_data_not_markup(app: Flask) -> None:
    """The page scripts never turn server data into markup (no HTML sinks in static/js)."""
    sinks = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function"
    )
    root = Path(app.root_path).parent / "static" / "js"
    scripts = sorted(root.glob("*.js"))
    assert scripts
    assert {p.name: sinks.findall(p.read_text()) for p in scripts} == {p.name: [] for p in scripts}
