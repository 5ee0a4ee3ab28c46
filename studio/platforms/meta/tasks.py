"""Background jobs: renew long-lived Meta tokens before they expire; deauthorize callbacks."""

from __future__ import annotations

import logging

from huey import crontab

from studio import db
from studio.audit import Actor, scope
from studio.jobs import current, periodic_task, task
from studio.platforms import inbox
from studio.platforms.meta import webhooks
from studio.platforms.meta.connection import enabled
from studio.platforms.meta.tokens import REFRESHER

log = logging.getLogger(__name__)


def refresh_expiring() -> dict[str, int]:
    """Renew every Meta login whose long-lived token expires within META_REFRESH_AHEAD."""
    config = current().config
    if not enabled(config):
        return {"refreshed": 0, "reconnect": 0, "failed": 0}
    with scope(actor=Actor.job("meta.refresh")):
        return REFRESHER.refresh_expiring(db.session, int(config["META_REFRESH_AHEAD"]))


@periodic_task(crontab(minute="23", hour="*"))
def refresh_meta_tokens_periodically() -> dict[str, int]:
    """Hourly: renew long-lived user tokens that expire within META_REFRESH_AHEAD."""
    return refresh_expiring()


@task()
def process_meta_deauthorize(delivery_id: int) -> str | None:
    """Act on one stored deauthorize delivery."""
    return inbox.process(db.session, delivery_id, webhooks.handle)


@periodic_task(crontab(minute="*"))
def sweep_meta_deauthorize() -> None:
    """Every minute: process deauthorize deliveries a crash or a lost job left behind."""
    for delivery_id in inbox.unprocessed(db.session, webhooks.SOURCE, event=webhooks.EVENT):
        try:
            inbox.process(db.session, delivery_id, webhooks.handle)
        except Exception:
            log.warning("meta delivery %s still failing; will retry", delivery_id)
