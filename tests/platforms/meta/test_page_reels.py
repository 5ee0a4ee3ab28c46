"""Facebook Page Reels over real HTTP: start, rupload with the Page token, finish, phases."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.errors import GraphError, PublishLimit, RuploadError, retry_action
from studio.platforms.meta.results import Page, PageReelStatus
from studio.platforms.retry import RetryAction
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange
from tests.helpers import wait_until
from tests.platforms.meta.reels_support import Upload
from tests.platforms.meta.support import PAGE_ID, acme_page, login, video_file

SIZE = 2 * 1024 * 1024 + 7


@pytest.fixture
def page(client: MetaClient, http: requests.Session) -> Page:
    return acme_page(client, login(client, http))


def _reel(client: MetaClient, page: Page, tmp_path: Path, name: str = "r.mp4") -> Upload:
    started = client.start_page_reel(page.access_token, PAGE_ID)
    up = Upload(client, page.access_token, started.upload_url, video_file(tmp_path, SIZE, name))
    up.send()
    return up


def _video_id(up: Upload) -> str:
    return up.uri.rsplit("/", 1)[-1]


def test_page_reel_from_start_to_published_through_its_phases(
    client: MetaClient, page: Page, tmp_path: Path, sbx: SandboxServer, seen: list[Exchange]
) -> None:
    started = client.start_page_reel(page.access_token, PAGE_ID)
    status = client.page_reel_status(page.access_token, started.video_id)
    assert (status.phase, status.uploading, status.bytes_transferred) == (
        "uploading",
        "not_started",
        0,
    )
    up = Upload(client, page.access_token, started.upload_url, video_file(tmp_path, SIZE))
    up.send()
    status = client.page_reel_status(page.access_token, started.video_id)
    assert (status.uploading, status.bytes_transferred) == ("complete", SIZE)
    assert client.finish_page_reel(page.access_token, PAGE_ID, started.video_id, "Our new mug")
    finish = seen[-1].request_body
    assert (
        finish and finish["video_state"] == "PUBLISHED" and finish["description"] == "Our new mug"
    )
    phases: list[str] = []

    def done() -> PageReelStatus | None:
        now = client.page_reel_status(page.access_token, started.video_id)
        if not phases or phases[-1] != now.phase:
            phases.append(now.phase)
        return now if now.phase == "done" else None

    final: PageReelStatus = wait_until(done, 10, "the Reel's publishing phase to complete")
    assert final.published and final.plain == "The Reel is published on the Page."
    assert phases[-1] == "done" and set(phases) <= {"processing", "publishing", "done"}
    (reel,) = sbx.meta.summary()["reels_published"]
    assert reel["video_id"] == started.video_id and reel["sha256"] == up.sha256()
    with pytest.raises(GraphError) as twice:
        client.finish_page_reel(page.access_token, PAGE_ID, started.video_id, "again")
    assert retry_action(twice.value) is RetryAction.TERMINAL
    assert len(sbx.meta.summary()["reels_published"]) == 1


def test_a_cut_page_reel_upload_resumes_from_metas_offset(
    client: MetaClient, page: Page, tmp_path: Path, sbx: SandboxServer
) -> None:
    started = client.start_page_reel(page.access_token, PAGE_ID)
    up = Upload(client, page.access_token, started.upload_url, video_file(tmp_path, SIZE))
    sbx.meta.fail_next("/meta/rupload/", "drop_mid", skip=1)
    up.send()
    assert up.offsets == [0, SIZE // 2, SIZE]
    assert client.page_reel_status(page.access_token, started.video_id).bytes_transferred == SIZE


def test_thirty_reels_a_day_is_a_next_window_limit(
    client: MetaClient, page: Page, tmp_path: Path, sbx: SandboxServer
) -> None:
    sbx.meta.configure(page_reels_limit=1)
    first, second = _reel(client, page, tmp_path, "a.mp4"), _reel(client, page, tmp_path, "b.mp4")
    assert client.finish_page_reel(page.access_token, PAGE_ID, _video_id(first), "one")
    with pytest.raises(PublishLimit) as full:
        client.finish_page_reel(page.access_token, PAGE_ID, _video_id(second), "two")
    assert full.value.graph_code == 9 and retry_action(full.value) is RetryAction.NEXT_WINDOW
    assert "24 hours" in full.value.plain


def test_processing_failure_reads_as_an_error_phase(
    client: MetaClient, page: Page, tmp_path: Path, sbx: SandboxServer, http: requests.Session
) -> None:
    sbx.meta.configure(processing_delay=30)
    up = _reel(client, page, tmp_path)
    client.finish_page_reel(page.access_token, PAGE_ID, _video_id(up), "x")
    control = f"{sbx.url}/_sandbox/meta/videos/{_video_id(up)}/fail"
    http.post(control, json={"message": "The video is 2 s long"}).raise_for_status()
    status = client.page_reel_status(page.access_token, _video_id(up))
    assert status.failed and status.phase == "error" and "2 s long" in status.plain


def test_the_page_upload_refuses_a_user_token(
    client: MetaClient, http: requests.Session, tmp_path: Path
) -> None:
    user = login(client, http)
    started = client.start_page_reel(acme_page(client, user).access_token, PAGE_ID)
    up = Upload(client, user, started.upload_url, video_file(tmp_path, 100))
    with pytest.raises(RuploadError) as refused:
        up.send()
    assert refused.value.http_status == 401 and retry_action(refused.value) is RetryAction.RECONNECT
