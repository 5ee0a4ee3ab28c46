"""Background jobs: refresh YouTube access tokens before they expire."""

from __future__ import annotations

from huey import crontab

from studio import db
from studio.audit import Actor, scope
from studio.jobs import current, periodic_task
from studio.platforms.youtube.connection import enabled
from studio.platforms.youtube.tokens import REFRESHER


def refresh_expiring() -> dict[str, int]:
    """Refresh every connected channel whose access token expires soon; never raises."""
    config = current().config
    if not enabled(config):
        return {"refreshed": 0, "reconnect": 0, "failed": 0}
    with scope(actor=Actor.job("youtube.refresh")):
        return REFRESHER.refresh_expiring(db.session, int(config["YOUTUBE_REFRESH_AHEAD"]))


@periodic_task(crontab(minute="*/5"))
def refresh_youtube_tokens_periodically() -> dict[str, int]:
    """Every 5 minutes: refresh tokens that expire within YOUTUBE_REFRESH_AHEAD."""
    return refresh_expiring()
