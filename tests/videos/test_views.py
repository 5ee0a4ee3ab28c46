"""Library pages: list, upload page, detail, file with Range, poster, delete rights, sample."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.auth.models import User
from studio.db import utcnow
from studio.videos import services
from studio.videos.models import Video
from tests.helpers import csrf_token, query_plans, video_row


def user(app: Flask, email: str) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def get(client: FlaskClient, url: str, **kwargs):
    """GET and read the whole body (file responses are closed, not leaked)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def test_library_lists_videos_with_their_facts(
    app: Flask, admin_client: FlaskClient, make_stored_video, users
) -> None:
    video = make_stored_video(user(app, users["staff"]), name="Spring <launch>.mp4")
    page = admin_client.get("/videos/").get_data(as_text=True)
    assert "Spring &lt;launch&gt;.mp4" in page
    assert "540×960" in page and "30 fps" in page and "0:03" in page
    assert "staff@example.com" in page
    assert f"/videos/{video.id}/poster.jpg" in page


OLDER = re.compile(r'href="/videos/\?before=(\d+)">Older')
NEWER = re.compile(r'href="/videos/\?after=(\d+)">← Newer')
CARD = re.compile(r'<h2 class="video-name"><a href="/videos/(\d+)">')


def add_videos(app: Flask, n: int) -> list[int]:
    """``n`` library rows straight into the table (their files are marked removed); ids, oldest
    first."""
    with app.app_context():
        videos = [
            video_row(
                f"{secrets.token_hex(16)}.mp4",
                "blake3:" + secrets.token_hex(32),
                1000,
                display_name=f"clip-{i}.mp4",
                duration_s=3.0,
                file_deleted_at=utcnow(),
            )
            for i in range(n)
        ]
        db.session.add_all(videos)
        db.session.commit()
        return [v.id for v in videos]


def test_library_pages_walk_every_video_once(app: Flask, admin_client: FlaskClient) -> None:
    ids = add_videos(app, 30)
    first = admin_client.get("/videos/").get_data(as_text=True)
    assert "30 videos" in first and NEWER.search(first) is None
    older = OLDER.search(first)
    assert older
    second = admin_client.get(f"/videos/?before={older.group(1)}").get_data(as_text=True)
    pages = [[int(i) for i in CARD.findall(html)] for html in (first, second)]
    assert [len(p) for p in pages] == [24, 6]
    assert pages[0] + pages[1] == sorted(ids, reverse=True)
    assert OLDER.search(second) is None and "Newest" in second
    newer = NEWER.search(second)
    assert newer and int(newer.group(1)) == pages[1][0]
    back = admin_client.get(f"/videos/?after={newer.group(1)}").get_data(as_text=True)
    assert [int(i) for i in CARD.findall(back)] == pages[0]


@pytest.mark.parametrize("cursor", ["abc", "-5", "0", "9" * 40, "1e3", "٣"])
def test_a_bad_cursor_shows_the_newest_page(
    app: Flask, admin_client: FlaskClient, cursor: str
) -> None:
    ids = add_videos(app, 3)
    response = admin_client.get(f"/videos/?before={cursor}")
    assert response.status_code == 200
    cards = [int(i) for i in CARD.findall(response.get_data(as_text=True))]
    assert cards == sorted(ids, reverse=True)


@pytest.mark.parametrize("cursor", [{}, {"before": 150}, {"after": 50}])
def test_library_pages_read_a_primary_key_range(app: Flask, cursor: dict[str, int]) -> None:
    add_videos(app, 200)
    if app.extensions["db"]["engine"].dialect.name == "postgresql":
        with app.extensions["db"]["engine"].begin() as conn:
            conn.exec_driver_sql("ANALYZE videos")
    plans = query_plans(app, lambda: services.list_videos(db.session, **cursor), "videos")
    for plan in plans:
        assert "Seq Scan on videos" not in plan and "Sort Key" not in plan, plan
        assert "SCAN videos USING" not in plan and "TEMP B-TREE" not in plan, plan
        assert re.search(r"PRIMARY KEY|pk_videos|SCAN videos$", plan), plan


def test_empty_library_invites_an_upload(admin_client: FlaskClient) -> None:
    page = admin_client.get("/videos/").get_data(as_text=True)
    assert "No videos yet" in page and "/videos/upload" in page


def test_upload_page_states_the_rules_and_needs_js(admin_client: FlaskClient) -> None:
    page = admin_client.get("/videos/upload").get_data(as_text=True)
    assert "<noscript>" in page and "needs JavaScript" in page
    assert "at least one platform can take" in page and "At most 4 GiB" in page
    assert 'data-csrf="' in page and "js/videos-upload.js" in page
    assert "<script>" not in page  # CSP: no inline scripts


def test_detail_has_a_player_and_the_file_streams_ranges(
    app: Flask, admin_client: FlaskClient, make_stored_video, sample_mp4: Path
) -> None:
    video = make_stored_video()
    page = admin_client.get(f"/videos/{video.id}").get_data(as_text=True)
    assert "<video" in page and f"/videos/{video.id}/file" in page and video.content_hash in page
    whole = sample_mp4.read_bytes()
    response = admin_client.get(f"/videos/{video.id}/file", headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.get_data() == whole[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert response.headers["Content-Type"] == "video/mp4"
    response.close()
    download = get(admin_client, f"/videos/{video.id}/file?download=1")
    assert "attachment" in download.headers["Content-Disposition"]
    poster = get(admin_client, f"/videos/{video.id}/poster.jpg")
    assert poster.status_code == 200 and poster.headers["Content-Type"] == "image/jpeg"


def test_files_need_sign_in(app: Flask, client: FlaskClient, make_stored_video) -> None:
    video = make_stored_video()
    for url in (f"/videos/{video.id}/file", f"/videos/{video.id}/poster.jpg"):
        response = get(client, url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_missing_video_is_404(admin_client: FlaskClient) -> None:
    for url in ("/videos/999", "/videos/999/file", "/videos/999/poster.jpg"):
        assert get(admin_client, url).status_code == 404


def test_removed_file_keeps_the_details(
    app: Flask, admin_client: FlaskClient, make_stored_video
) -> None:
    video = make_stored_video()
    with app.app_context():
        services.delete_file(db.session, services.get_video(db.session, video.id), "retention")
    page = admin_client.get(f"/videos/{video.id}").get_data(as_text=True)
    assert "The file was removed" in page and "<video" not in page
    assert get(admin_client, f"/videos/{video.id}/file").status_code == 404


def test_staff_cannot_delete_someone_elses_video(
    app: Flask, staff_client: FlaskClient, make_stored_video, users
) -> None:
    video = make_stored_video(user(app, users["admin"]))
    page = staff_client.get(f"/videos/{video.id}").get_data(as_text=True)
    assert "/delete" not in page  # no button either
    token = csrf_token(staff_client, "/videos/upload")
    response = staff_client.post(f"/videos/{video.id}/delete", data={"csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        kept = db.session.get(Video, video.id)
        assert kept is not None and kept.has_file


def test_uploader_deletes_their_own_video(
    app: Flask, staff_client: FlaskClient, make_stored_video, users
) -> None:
    video = make_stored_video(user(app, users["staff"]))
    stored = Path(app.instance_path) / "uploads" / video.storage_name
    assert stored.exists()
    token = csrf_token(staff_client, f"/videos/{video.id}")
    response = staff_client.post(f"/videos/{video.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/videos/")
    assert not stored.exists()
    assert not list((Path(app.instance_path) / "uploads").glob("*.jpg"))
    with app.app_context():
        assert db.session.get(Video, video.id) is None
    assert "Deleted product.mp4." in staff_client.get("/videos/").get_data(as_text=True)


def test_admin_deletes_anyones_video(
    app: Flask, admin_client: FlaskClient, make_stored_video, users
) -> None:
    video = make_stored_video(user(app, users["staff"]))
    token = csrf_token(admin_client, f"/videos/{video.id}")
    response = admin_client.post(f"/videos/{video.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Video, video.id) is None


def test_delete_needs_csrf(app: Flask, admin_client: FlaskClient, make_stored_video) -> None:
    video = make_stored_video()
    response = admin_client.post(f"/videos/{video.id}/delete")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Video, video.id) is not None


def test_delete_refused_while_a_post_is_sending(
    app: Flask, admin_client: FlaskClient, make_stored_video, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = make_stored_video()
    monkeypatch.setattr(services, "busy_reason", lambda session, v: "a post is sending it")
    page = admin_client.get(f"/videos/{video.id}").get_data(as_text=True)
    assert "a post is sending it" in page
    token = csrf_token(admin_client, "/videos/upload")
    response = admin_client.post(
        f"/videos/{video.id}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "cannot be deleted now: a post is sending it" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Video, video.id).has_file


def test_dashboard_panel_counts_videos_and_storage(
    admin_client: FlaskClient, make_stored_video
) -> None:
    assert "No videos yet" in admin_client.get("/dashboard/").get_data(as_text=True)
    video = make_stored_video()
    page = admin_client.get("/dashboard/").get_data(as_text=True)
    assert "1 video in the library" in page
    assert f"{video.size_bytes / 1000:.1f} KB of video files on disk" in page


def test_sample_video_is_generated_once_and_valid(app: Flask, admin_client: FlaskClient) -> None:
    response = get(admin_client, "/videos/sample.mp4")
    assert response.status_code == 200
    assert "social-studio-sample.mp4" in response.headers["Content-Disposition"]
    sample = Path(app.instance_path) / "samples" / "sample.mp4"
    from studio.videos import media

    info = media.validate(sample)
    assert (info.width, info.height) == (720, 1280)


def test_prepare_post_link_only_when_the_posts_room_exists(
    app: Flask, admin_client: FlaskClient, make_stored_video
) -> None:
    video = make_stored_video()
    page = admin_client.get(f"/videos/{video.id}").get_data(as_text=True)
    assert ("Prepare post" in page) == ("posts.new" in app.view_functions)
