"""Background jobs: refresh access tokens before they expire; forget old OAuth flows."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from studio import db
from studio.audit import Actor, scope
from studio.db import utcnow
from studio.jobs import current, periodic_task, task
from studio.platforms import inbox
from studio.platforms.tiktok import services, webhooks
from studio.platforms.tiktok.errors import PlatformError, ReconnectNeeded
from studio.platforms.tiktok.oauth import purge_flows
from studio.platforms.tiktok.tokens import REFRESHER

log = logging.getLogger(__name__)


def refresh_expiring() -> dict[str, int]:
    """Refresh every connected account whose access token expires soon; never raises."""
    ahead = int(current().config["TIKTOK_REFRESH_AHEAD"])
    with scope(actor=Actor.job("tiktok.refresh")):
        return REFRESHER.refresh_expiring(db.session, ahead, then=_update_profile)


def _update_profile(account_id: int) -> None:
    """Keep the name and avatar current (TikTok's avatar URLs expire); best effort."""
    try:
        services.refresh_profile(db.session, account_id)
    except (ReconnectNeeded, PlatformError) as exc:
        log.info("profile of TikTok account %s not updated: %s", account_id, exc)


@periodic_task(crontab(minute="*/5"))
def refresh_tokens_periodically() -> dict[str, int]:
    """Every 5 minutes: refresh tokens that expire within TIKTOK_REFRESH_AHEAD."""
    return refresh_expiring()


@task()
def refresh_account(account_id: int) -> None:
    """Refresh one account now (enqueued after a 401, for instance)."""
    with scope(actor=Actor.job("tiktok.refresh")):
        services.force_refresh(db.session, account_id)


@periodic_task(crontab(minute="17", hour="*"))
def purge_old_flows() -> int:
    """Hourly: delete authorization flows that expired more than a day ago."""
    return purge_flows(utcnow() - dt.timedelta(days=1))


@task()
def process_tiktok_webhook(delivery_id: int) -> str | None:
    """Act on one stored TikTok webhook delivery."""
    return inbox.process(db.session, delivery_id, webhooks.handle)


@periodic_task(crontab(minute="*"))
def sweep_tiktok_webhooks() -> None:
    """Every minute: process deliveries a crash or a lost job left behind."""
    for delivery_id in inbox.unprocessed(db.session, webhooks.SOURCE):
        try:
            inbox.process(db.session, delivery_id, webhooks.handle)
        except Exception:
            log.warning("webhook delivery %s still failing; will retry", delivery_id)
