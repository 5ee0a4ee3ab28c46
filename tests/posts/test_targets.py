"""One post for several accounts: TikTok and a YouTube channel, each with its own options."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.platforms.models import Account, Delivery, Mode
from studio.platforms.youtube.connection import READONLY_SCOPE, UPLOAD_SCOPE
from studio.posts.models import Post
from tests.helpers import extract_csrf

NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')


def channel(app: Flask) -> Account:
    """A YouTube channel row as the connect flow leaves it (no send is made in these tests)."""
    with app.app_context():
        account = Account(
            platform="youtube",
            remote_id="UCacme",
            handle="@acmechannel",
            display_name="Acme Channel",
            scopes=f"{UPLOAD_SCOPE},{READONLY_SCOPE}",
            data_key="wrapped-key-placeholder",
        )
        db.session.add(account)
        db.session.commit()
        db.session.refresh(account)
        db.session.expunge(account)
        return account


def youtube(account_id: int, **changes: str) -> dict[str, str]:
    """A complete YouTube section for the channel."""
    fields = {
        "title": "Our new kettle",
        "privacy_status": "unlisted",
        "made_for_kids": "no",
        "category": "26",
        "tags": "kettle, kitchen",
        "notify_subscribers": "y",
        **changes,
    }
    return {f"a{account_id}-{k}": v for k, v in fields.items() if v is not None}


def prepare(client, video_id: int, ids: list[int], extra: dict[str, Any]):
    page = client.get(f"/posts/new?video_id={video_id}")
    data = {
        "csrf_token": extract_csrf(page.get_data(as_text=True)),
        "video_id": video_id,
        "account_id": ids,
        "caption": "New kettle",
        "hashtags": "kitchen",
        "is_aigc": "y",
        **extra,
    }
    return client.post("/posts/new", data=data), data


def _posts(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Post.id)))


def test_prepare_lists_every_platform_and_hides_unticked_sections(
    app, sandbox_client, account, video
):
    yt = channel(app)
    html = sandbox_client.get(f"/posts/new?video_id={video.id}").get_data(as_text=True)
    assert "TikTok" in html and "Acme Channel" in html and "@acmechannel" in html
    assert f'data-section-for="{yt.id}" data-platform="youtube" hidden' in html
    assert (
        f'name="a{yt.id}-privacy_status"' in html
        and "checked" not in html.split("<form")[1].split("data-targets")[0]
    )
    # Without JS, the server shows the sections of the ticked accounts.
    page, data = prepare(sandbox_client, video.id, [account.id, yt.id], {"show": "1"})
    assert page.status_code == 200
    assert f'data-section-for="{yt.id}" data-platform="youtube">' in page.get_data(as_text=True)


def test_two_targets_preview_and_send(app, sandbox_client, account, video):
    yt = channel(app)
    extra = {f"a{account.id}-mode": "draft", **youtube(yt.id)}
    preview, data = prepare(sandbox_client, video.id, [account.id, yt.id], extra)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert html.count('class="card post-preview"') == 2
    assert "Drafts carry no caption." in html and "Our new kettle" in html
    assert "YouTube makes it a Short" in html or "Not a Short." in html
    assert "as a draft in its inbox." in html
    assert (
        "upload this video to the YouTube channel “Acme Channel” (@acmechannel) as a unlisted"
        not in html
    )
    assert "YouTube channel “Acme Channel” (@acmechannel) as an unlisted video." in html
    assert "Send to all 2 accounts" in html
    data.update(csrf_token=extract_csrf(html), nonce=NONCE.search(html).group(1), consent="y")
    response = sandbox_client.post("/posts/send", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        post = db.session.scalars(select(Post)).one()
        deliveries = {d.platform: d for d in db.session.scalars(select(Delivery))}
        assert set(deliveries) == {"tiktok", "youtube"}
        assert deliveries["tiktok"].mode == Mode.DRAFT and deliveries["tiktok"].options is None
        assert deliveries["youtube"].options == {
            "title": "Our new kettle",
            "tags": ["kettle", "kitchen"],
            "category_id": "26",
            "privacy_status": "unlisted",
            "made_for_kids": False,
            "paid_product_placement": False,
            "notify_subscribers": True,
        }
        assert "Acme Channel" in post.consent_text and "TikTok account" in post.consent_text


def test_bad_input_is_shown_at_its_field_and_nothing_is_stored(app, sandbox_client, account, video):
    yt = channel(app)
    cases = [
        ([], {}, "Choose one or more"),
        ([account.id, 9999], {}, "Choose one or more"),
        ([yt.id], youtube(yt.id, privacy_status=None), "Choose private, unlisted or public."),
        ([yt.id], youtube(yt.id, made_for_kids=None), "made for kids"),
        ([yt.id], youtube(yt.id, title="a <b> c"), "The characters &lt; and &gt; are not allowed."),
        ([yt.id], youtube(yt.id, title="x" * 101), "At most 100 characters (it has 101)."),
        ([yt.id], youtube(yt.id, tags="t" * 501), "At most 500 characters in all"),
    ]
    for ids, extra, message in cases:
        response, _ = prepare(sandbox_client, video.id, ids, extra)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, (ids, extra)
        assert message in html, (message, extra)
        assert '<p class="error"' in html
    assert _posts(app) == 0


def test_tampered_options_at_send_are_refused(app, sandbox_client, account, video):
    yt = channel(app)
    preview, data = prepare(sandbox_client, video.id, [yt.id], youtube(yt.id))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "Upload to YouTube" in html
    data.update(csrf_token=extract_csrf(html), nonce=NONCE.search(html).group(1), consent="y")
    data[f"a{yt.id}-privacy_status"] = "secret"
    response = sandbox_client.post("/posts/send", data=data)
    assert response.status_code == 400
    assert "Choose private, unlisted or public." in response.get_data(as_text=True)
    data[f"a{yt.id}-privacy_status"] = "private"
    data["account_id"] = [yt.id, account.id + 1000]
    assert sandbox_client.post("/posts/send", data=data).status_code == 400
    assert _posts(app) == 0
