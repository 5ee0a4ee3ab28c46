"""Background jobs: refresh YouTube access tokens before they expire."""

from __future__ import annotations

import logging

from huey import crontab

from studio import db
from studio.audit import Actor, scope
from studio.jobs import current, periodic_task
from studio.platforms.youtube import services, tokens
from studio.platforms.youtube.connection import enabled
from studio.platforms.youtube.errors import PlatformError

log = logging.getLogger(__name__)


def refresh_expiring() -> dict[str, int]:
    """Refresh every connected channel whose access token expires soon; never raises."""
    config = current().config
    counts = {"refreshed": 0, "reconnect": 0, "failed": 0}
    if not enabled(config):
        return counts
    ahead = int(config["YOUTUBE_REFRESH_AHEAD"])
    with scope(actor=Actor.job("youtube.refresh")):
        for account_id in services.refresh_due(db.session, ahead):
            try:
                tokens.access_token(db.session, account_id, min_valid_s=ahead)
            except tokens.ReconnectNeeded:
                counts["reconnect"] += 1
            except PlatformError as exc:
                counts["failed"] += 1  # retried on the next run, well before expiry
                log.warning("refresh of YouTube account %s failed: %s", account_id, exc)
            else:
                counts["refreshed"] += 1
    return counts


@periodic_task(crontab(minute="*/5"))
def refresh_youtube_tokens_periodically() -> dict[str, int]:
    """Every 5 minutes: refresh tokens that expire within YOUTUBE_REFRESH_AHEAD."""
    return refresh_expiring()
