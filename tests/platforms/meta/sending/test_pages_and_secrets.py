"""The post page names Instagram and Facebook; no Meta token shows up anywhere after sends."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from studio import db
from studio.platforms.models import DeliveryStatus
from studio.sandbox.server import SandboxServer
from tests.adversarial.test_secrets import _database_text
from tests.platforms.meta.sending.support import make_post
from tests.posts.conftest import drive


def test_post_pages_speak_of_each_platform_and_leak_no_token(
    app: Flask, sandbox: SandboxServer, accounts, reel, client: FlaskClient, caplog
):
    """An Instagram Reel (through a cut upload and a 500) and a Page Reel are published; their
    post pages, status JSON, the audit pages, every log record, the audit rows and the raw
    database hold none of the tokens the sandbox issued (user, Page) nor the app secret; the
    cards say Instagram and Facebook where TikTok's say TikTok."""
    caplog.set_level(logging.DEBUG)
    sandbox.meta.fail_next("/meta/rupload/", "drop_mid")
    sandbox.meta.fail_next("/meta/graph/v27.0/17841400000000001/media_publish", "500")
    ig = make_post(app, reel, accounts["instagram"], "instagram")
    fb = make_post(app, reel, accounts["facebook"], "facebook")
    assert drive(app, ig).status == DeliveryStatus.PUBLISHED
    assert drive(app, fb).status == DeliveryStatus.PUBLISHED

    pages = {}
    for post_id in (ig, fb):
        pages[post_id] = client.get(f"/posts/{post_id}").get_data(as_text=True)
        status = client.get(f"/posts/{post_id}/status.json")
        assert status.status_code == 200
        pages[f"{post_id}.json"] = status.get_data(as_text=True)
    assert "Instagram&#39;s container id" in pages[ig] and "Bytes at Instagram" in pages[ig]
    assert "A Reel on Instagram" in pages[ig] and "Instagram media id" in pages[ig]
    assert "Facebook&#39;s video id" in pages[fb] and "A Reel on the Facebook Page" in pages[fb]
    for html in (pages[ig], pages[fb]):
        assert "TikTok&#39;s reference" not in html and "TikTok post id" not in html
        assert "Sent to TikTok" not in html
    pages["audit"] = client.get("/audit/").get_data(as_text=True)
    with app.app_context():
        seqs = list(db.session.scalars(text("SELECT seq FROM audit_entries ORDER BY seq")))
        audit = [repr(tuple(r)) for r in db.session.execute(text("SELECT * FROM audit_entries"))]
        db.session.commit()
    assert any("rupload" in row for row in audit)  # the exchanges were recorded
    for seq in seqs:
        pages[f"audit/{seq}"] = client.get(f"/audit/{seq}").get_data(as_text=True)

    state = sandbox.meta.state
    with state.lock:
        secrets = [t for t in state.tokens if len(t) >= 16] + [state.config.app_secret]
    assert len(secrets) >= 4  # short, long (user) and Page tokens, the app secret
    logs = [
        "\n".join([r.getMessage(), str(r.args), r.exc_text or "", str(getattr(r, "payload", ""))])
        for r in caplog.records
    ]
    logs += [p.read_text(errors="replace") for p in Path(app.instance_path).rglob("*.log")]
    texts = [*pages.values(), *logs, *audit]
    blobs = _database_text(app)
    for secret in secrets:
        assert not [t[:80] for t in texts if secret in t], "a token leaked"
        assert not [b for b in blobs if secret.encode() in b], "a token is stored in plaintext"
