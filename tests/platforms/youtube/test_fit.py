"""A video only YouTube takes (20 fps): kept by the library, said so per platform, published."""

from __future__ import annotations

import re

from studio.platforms.models import DeliveryStatus
from studio.videos import samples
from tests.helpers import extract_csrf
from tests.platforms.youtube.send_support import videos
from tests.posts.conftest import drive
from tests.posts.test_targets import prepare, youtube
from tests.videos.conftest import uploader_for

NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')


def test_a_video_only_youtube_takes_is_uploaded_and_published(
    send_app, yt_admin, yt_sandbox, yt_channel, tmp_path
):
    path = samples.make_low_fps(tmp_path / "slow.mp4", fps=20)
    uploaded = uploader_for(yt_admin).send(path.read_bytes(), "slow.mp4")
    assert uploaded.status_code == 200, uploaded.get_json()
    video_id = uploaded.get_json()["video_id"]
    page = yt_admin.get(f"/videos/{video_id}").get_data(as_text=True)
    assert "<strong>TikTok:</strong> frame rate 20 fps; TikTok needs 23–60" in page
    assert "<strong>YouTube:</strong> yes, as a Short" in page
    assert "<strong>Instagram:</strong>" not in page  # this deployment has no Meta app

    preview, data = prepare(yt_admin, video_id, [yt_channel], youtube(yt_channel))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    data.update(csrf_token=extract_csrf(html), nonce=NONCE.search(html).group(1), consent="y")
    sent = yt_admin.post("/posts/send", data=data)
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)
    post_id = int(sent.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    delivery = drive(send_app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    [video] = videos(yt_sandbox)
    assert delivery.remote_url == f"https://www.youtube.com/shorts/{video['id']}"
    assert video["bytes"] == path.stat().st_size
