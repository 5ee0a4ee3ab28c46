"""What the videos room asks the rooms above it: may this video's file go now?"""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy.orm import Session

from studio.videos.models import Video

_signals = Namespace()
# Sent with (session, video=...) before a video is deleted; a receiver returns why the file
# must stay (a post is sending it), or None. The posts room listens.
deleting = _signals.signal("video-deleting")


def busy_reason(session: Session, video: Video) -> str | None:
    """The first reason a listener gives to keep the video, or None."""
    for _receiver, reason in deleting.send(session, video=video):
        if reason:
            return str(reason)
    return None
