"""Several videos at once in a real browser: a row per file, two travelling and the rest queued,
each with its own result and its own resume after a reload (screenshots at 1280 and 390 px)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from studio import db
from studio.videos import samples
from studio.videos.models import Video
from tests.e2e.conftest import ARTIFACTS, wait_in_page
from tests.e2e.test_videos_upload import row, server, upload_page  # noqa: F401

NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
MAX_BYTES = 2 * 1024 * 1024


@pytest.fixture
def app(make_app) -> Flask:
    """Small parts (a clip goes up in several), and a small size limit to exceed."""
    return make_app(UPLOAD_PART_BYTES=32 * 1024, MAX_VIDEO_BYTES=MAX_BYTES)


def clips(tmp_path: Path, count: int, seconds: int = 3) -> list[Path]:
    """Distinct portrait clips (different lengths, so different content); 3 s are about 30 KB,
    8 s at 720×1280 about 100 KB (several 32 KiB parts)."""
    size = (540, 960) if seconds < 8 else (720, 1280)
    return [
        samples.make_video(
            tmp_path / f"clip-{n}.mp4", seconds=seconds + n, width=size[0], height=size[1]
        )
        for n in range(count)
    ]


class Gate:
    """Holds every part sent until opened, and notes which files opened an upload."""

    def __init__(self, page: Page) -> None:
        self.held: list = []
        self.created: list[str] = []
        self.opened = False
        page.route("**/videos/uploads**", self._route)

    def _route(self, route) -> None:
        if route.request.method == "POST":
            self.created.append(route.request.post_data_json["name"])
        if route.request.method == "PATCH" and not self.opened:
            self.held.append(route)
        else:
            route.continue_()

    def open(self) -> None:
        self.opened = True
        for route in self.held:
            route.continue_()


def shots(page: Page, name: str) -> None:
    """The page at 1280 px and at 390 px, full length, with no sideways scrolling on a phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width, size in (("1280", WIDE), ("390", NARROW)):
        page.set_viewport_size(size)
        page.wait_for_function(
            "() => document.getAnimations().every(a => a.playState !== 'running')"
        )
        page.screenshot(path=str(ARTIFACTS / f"bulk-upload-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    page.set_viewport_size(WIDE)


def test_three_videos_at_once_two_travel_and_the_third_waits(
    upload_page: Page,  # noqa: F811
    server,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = upload_page
    gate = Gate(page)
    files = clips(tmp_path, 3)
    page.set_input_files("#video-file", [str(f) for f in files])
    wait_in_page(page, lambda: len(gate.held) == 2, 60, "two uploads to send their first part")
    expect(page.locator(".upload-row")).to_have_count(3)
    expect(row(page, 2).locator(".upload-state")).to_have_text("Queued")
    expect(page.locator("#upload-summary")).to_have_text("3 files: 2 uploading, 1 queued")
    assert sorted(gate.created) == ["clip-0.mp4", "clip-1.mp4"]  # the third is not even opened yet
    shots(page, "queued")

    gate.open()
    for n, file in enumerate(files):
        result = row(page, n).locator(".upload-result")
        result.get_by_text(f"{file.name} is uploaded and checked").wait_for(timeout=60_000)
        expect(row(page, n).locator(".upload-state")).to_have_text("Uploaded")
    expect(page.locator("#upload-summary")).to_have_text("3 files: 3 done")
    shots(page, "done")
    with server.app.app_context():
        ids = {name: id_ for name, id_ in db.session.execute(select(Video.display_name, Video.id))}
    assert sorted(ids) == [f.name for f in files]
    # Each row links to its own video (the two that travel together finish in either order).
    for n, file in enumerate(files):
        link = row(page, n).locator(".upload-result").get_by_role("link", name="Open it")
        expect(link).to_have_attribute("href", f"/videos/{ids[file.name]}")


def test_each_file_gets_its_own_readable_result(
    upload_page: Page,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = upload_page
    good = clips(tmp_path, 1)[0]
    fake = samples.make_not_video(tmp_path / "fake.mp4")
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as out:
        out.truncate(MAX_BYTES + 1)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    page.set_input_files("#video-file", [str(p) for p in (good, fake, huge, notes)])

    def result(n: int):
        return row(page, n).locator(".upload-result")

    result(0).get_by_text("clip-0.mp4 is uploaded and checked").wait_for(timeout=60_000)
    refused = "fake.mp4 cannot be published on any of the platforms:"
    result(1).get_by_text(refused).wait_for(timeout=60_000)
    expect(result(1)).to_contain_text("Nothing was kept.")
    expect(result(2)).to_have_text("huge.mp4 is 2.1 MB; videos can be at most 2 MiB.")
    expect(result(3)).to_contain_text("notes.txt is not a video (it is text/plain)")
    for n, state in enumerate(("Uploaded", "Failed", "Failed", "Failed")):
        expect(row(page, n).locator(".upload-state")).to_have_text(state)
    expect(page.locator("#upload-summary")).to_have_text("4 files: 1 done, 3 failed")


def test_each_file_resumes_after_a_reload_where_it_stopped(
    upload_page: Page,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = upload_page
    files = clips(tmp_path, 2, seconds=8)
    stalled: list = []
    reloaded: list = []
    offsets: dict[str, list[str]] = {}

    def stall_after_first_part(route):
        request = route.request
        if not reloaded and request.method == "PATCH" and request.headers["upload-offset"] != "0":
            stalled.append(route)  # never answered: the link drops until the reload
        else:
            route.continue_()

    page.route("**/videos/uploads**", stall_after_first_part)
    page.set_input_files("#video-file", [str(f) for f in files])
    wait_in_page(page, lambda: len(stalled) == 2, 60, "both uploads to stall after one part")
    # The route stays (unrouting could release the held parts and finish the uploads).
    reloaded.append(True)
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" while uploading
    page.reload()
    note = page.locator("#upload-unfinished")
    expect(note).to_contain_text("clip-0.mp4 (32%)")
    expect(note).to_contain_text("clip-1.mp4 (")

    def first_offsets(request):
        if request.method == "PATCH":
            offsets.setdefault(request.url, []).append(request.headers["upload-offset"])

    page.on("request", first_offsets)
    page.set_input_files("#video-file", [str(f) for f in files])
    for n in range(2):
        row(page, n).get_by_text("is uploaded and checked").wait_for(timeout=60_000)
    assert len(offsets) == 2 and all(sent[0] == str(32 * 1024) for sent in offsets.values())


def drop(page: Page, files: list[Path]) -> None:
    """Drag files onto the drop zone, as a person dragging them from their desktop would."""
    payload = [{"name": f.name, "data": base64.b64encode(f.read_bytes()).decode()} for f in files]
    page.evaluate(
        """(files) => {
          const dt = new DataTransfer();
          for (const f of files) {
            const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name, { type: "video/mp4" }));
          }
          const zone = document.getElementById("dropzone");
          const init = { dataTransfer: dt, bubbles: true, cancelable: true };
          for (const type of ["dragenter", "dragover", "drop"]) {
            zone.dispatchEvent(new DragEvent(type, init));
          }
        }""",
        payload,
    )


def test_dropped_files_queue_and_a_queued_one_can_be_cancelled(
    upload_page: Page,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = upload_page
    gate = Gate(page)
    drop(page, clips(tmp_path, 3))
    wait_in_page(page, lambda: len(gate.held) == 2, 60, "two uploads to send their first part")
    row(page, 2).get_by_role("button", name="Cancel clip-2.mp4").click()
    expect(row(page, 2).locator(".upload-result")).to_have_text(
        "Upload cancelled. Nothing was kept."
    )
    expect(row(page, 2).locator(".upload-state")).to_have_text("Cancelled")
    gate.open()
    for n in range(2):
        row(page, n).get_by_text("is uploaded and checked").wait_for(timeout=60_000)
    expect(page.locator("#upload-summary")).to_have_text("3 files: 2 done, 1 cancelled")
    assert sorted(gate.created) == ["clip-0.mp4", "clip-1.mp4"]  # the cancelled one never started
