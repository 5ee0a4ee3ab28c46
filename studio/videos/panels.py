"""The video library's card on the dashboard."""

from __future__ import annotations

from studio import db
from studio.panels import Panel
from studio.templating import format_bytes
from studio.videos import services


def library_panel() -> Panel:
    """How many videos there are and how much disk their files use."""
    count, used = services.library_stats(db.session)
    if not count:
        return Panel(
            "Videos",
            ["No videos yet. Upload one to get started."],
            "videos.upload",
            "Upload a video",
            order=20,
        )
    noun = "video" if count == 1 else "videos"
    return Panel(
        "Videos",
        [f"{count} {noun} in the library", f"{format_bytes(used)} of video files on disk"],
        "videos.index",
        "Open the library",
        tone="good",
        order=20,
    )
