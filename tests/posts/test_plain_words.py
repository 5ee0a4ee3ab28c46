"""What staff read on the prepare and post pages: where the caption goes, plain progress words,
TikTok's ids and HTTP lines only behind "Technical details"."""

from __future__ import annotations

import re

from studio import db
from studio.platforms.models import DeliveryStatus, Source
from tests.helpers import delivery_of


def _caption_note(html: str) -> str:
    """The shown caption note: the one [data-for-mode] paragraph without `hidden`."""
    shown = re.findall(r'<p data-for-mode="(\w+)" >', html)
    assert len(shown) == 1, shown
    return shown[0]


def test_prepare_page_says_drafts_carry_no_caption_where_it_is_typed(
    app, admin_client, video, account
):
    html = admin_client.get(f"/posts/new?video_id={video.id}").get_data(as_text=True)
    note = html.index("Drafts carry no caption.")
    # Said with TikTok's accounts, under the caption it is about (not on the preview only).
    assert html.index('name="caption"') < html.index('data-platform="tiktok"') < note
    assert _caption_note(html) == "draft"
    assert "UTF-16" not in html and "video.publish" not in html


def test_prepare_page_says_direct_posts_carry_it(app, admin_client, video, account):
    app.config["TIKTOK_DIRECT_POST"] = True
    page = admin_client.get(f"/posts/new?video_id={video.id}")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    back = admin_client.post(  # "Change caption" from the preview keeps the chosen mode
        "/posts/new",
        data={
            "csrf_token": token,
            "video_id": video.id,
            "account_id": account.id,
            f"a{account.id}-mode": "direct",  # the target's options carry its prefix
            "caption": "x",
            "edit": "1",
        },
    )
    html = back.get_data(as_text=True)
    assert _caption_note(html) == "direct" and "Direct posts carry this caption." in html


def _post(app, post_id: int, **changes) -> str:
    with app.app_context():
        delivery = delivery_of(post_id)
        for name, value in changes.items():
            setattr(delivery, name, value)
        db.session.commit()
        return delivery.transfer


def test_transfer_words_fit_each_state(app, sent_post):
    size = "5.5 KB"
    assert (
        _post(
            app,
            sent_post.id,
            status=DeliveryStatus.QUEUED,
            bytes_sent=0,
            uploaded_at=None,
            total_chunks=1,
        )
        == f"Not started yet ({size} to send)"
    )
    assert _post(app, sent_post.id, status=DeliveryStatus.UPLOADING, bytes_sent=2750) == (
        f"Sent 2.8 KB of {size}"
    )
    # TikTok processing: every byte is there even when a restart reset the counter.
    assert _post(app, sent_post.id, status=DeliveryStatus.PROCESSING, bytes_sent=0) == (
        f"Uploaded all {size}"
    )
    assert _post(app, sent_post.id, status=DeliveryStatus.PROCESSING, total_chunks=3) == (
        f"Uploaded all {size} in 3 parts"
    )
    assert (
        _post(
            app,
            sent_post.id,
            source=Source.PULL_FROM_URL,
            status=DeliveryStatus.QUEUED,
            remote_bytes=None,
            bytes_sent=0,
        )
        == f"Not started yet ({size} to send)"
    )
    assert (
        _post(
            app,
            sent_post.id,
            status=DeliveryStatus.FAILED,
            source=Source.FILE_UPLOAD,
            bytes_sent=1000,
        )
        == f"Stopped after 1.0 KB of {size}"
    )


def test_post_page_speaks_plainly_with_details_one_click_away(app, admin_client, sent_post):
    html = admin_client.get(f"/posts/{sent_post.id}").get_data(as_text=True)
    visible, details = html.split('<details class="tech small">', 1)[0], html
    assert "chunk(s)" not in html and "Sent 0 bytes" not in html
    assert "publish_id" not in visible.split("Activity log")[0]
    assert "Technical details" in html and sent_post.deliveries[0].remote_id in details
    steps = re.findall(r'<span class="audit-step-text">([^<]*)</span>', html)
    assert steps and not [s for s in steps if "/v2/" in s or "→" in s or "v_inbox" in s], steps
    assert "Asked TikTok to start a draft upload" in steps
    assert "POST /v2/post/publish/inbox/video/init/ → 200" in html  # still there, in details
    assert html.count("js/audit-timeline.js") == 1
