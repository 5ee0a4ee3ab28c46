"""E-mails that an account must be reconnected: to whoever connected it and to the admins, once
per incident (everything since its last connect), never with a token or a caption."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from studio.audit import Action
from studio.auth.models import Role, User
from studio.db import rowcount, utcnow
from studio.notify.services import mail_one
from studio.platforms import registry
from studio.platforms.models import Account, AccountStatus, Delivery, DeliveryStatus
from studio.security import external_url

# Not told about this incident yet: never told, or told before the account's last connect.
NEW_INCIDENT = or_(
    Account.reconnect_mailed_at.is_(None),
    and_(Account.connected_at.is_not(None), Account.reconnect_mailed_at < Account.connected_at),
)


def _reconnect_codes(platform: str) -> frozenset[str]:
    try:
        return registry.sender_of(platform).reconnect_codes
    except registry.UnknownPlatform:
        return frozenset()


def pending(session: Session) -> list[int]:
    """Accounts that need a reconnect (marked so, or a delivery failed for that reason since the
    last connect) and whose incident nobody was told about yet."""
    marked = select(Account.id).where(Account.status == AccountStatus.NEEDS_RECONNECT, NEW_INCIDENT)
    since = utcnow() - dt.timedelta(hours=float(current_app.config["NOTIFY_LOOKBACK_HOURS"]))
    failed = (
        select(Account.id, Delivery.platform, Delivery.fail_reason)
        .join(Delivery, Delivery.account_id == Account.id)
        .where(
            Account.status == AccountStatus.CONNECTED,
            NEW_INCIDENT,
            Delivery.status == DeliveryStatus.FAILED,
            Delivery.finished_at > since,
            or_(Account.connected_at.is_(None), Delivery.finished_at > Account.connected_at),
        )
    )
    found = set(session.scalars(marked))
    for account_id, platform, code in session.execute(failed):
        if code in _reconnect_codes(platform) and not _behind_lost_login(session, account_id):
            found.add(account_id)
    session.commit()
    return sorted(found)


def _behind_lost_login(session: Session, account_id: int) -> bool:
    """True when the account's access comes through a login that itself needs a reconnect
    (a Facebook Page behind a Meta login): the login's e-mail covers it."""
    account = session.get(Account, account_id)
    parent = session.get(Account, account.parent_id) if account and account.parent_id else None
    return parent is not None and parent.status == AccountStatus.NEEDS_RECONNECT


def claim(session: Session, account_id: int) -> bool:
    """Take this incident's e-mails (one worker sends them, once)."""
    result = session.execute(
        update(Account)
        .where(Account.id == account_id, NEW_INCIDENT)
        .values(reconnect_mailed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return rowcount(result) == 1


def recipients(session: Session, account: Account) -> list[User]:
    """Whoever connected the account, and every admin (each once)."""
    admins = select(User).where(User.role == Role.ADMIN).order_by(User.id)
    connector = session.get(User, account.connected_by_id) if account.connected_by_id else None
    people = [connector, *session.scalars(admins)]
    return list({u.id: u for u in people if u is not None}.values())


def account_page(platform: str) -> str:
    """The absolute URL of the platform's account page (where reconnecting starts)."""
    try:
        found = registry.get(platform)
        endpoint = (found.page or (f"{found.name}.index", ""))[0]
    except registry.UnknownPlatform:  # a login behind other platforms (Meta's)
        endpoint = f"{platform}.index"
    try:
        return external_url(endpoint)
    except BuildError:  # the platform is switched off now: the dashboard lists the accounts
        return external_url("dashboard.index")


def tell(session: Session, account_id: int) -> int:
    """E-mail the people about one account's incident (once); how many e-mails went."""
    account = session.get(Account, account_id)
    if account is None or not claim(session, account_id):
        return 0
    label = registry.label_of(account.platform)
    label = label.capitalize() if label == account.platform else label  # a login's own name
    name = account.display_name or account.handle or f"#{account.id}"
    why = (
        f"Reason: {account.status_reason}."
        if account.status == AccountStatus.NEEDS_RECONNECT and account.status_reason
        else "Its access was revoked or has expired, or a permission was removed."
    )
    lines = [
        f"The {label} account “{name}” must be reconnected: Social Studio can no longer "
        "publish to it, and scheduled posts to it will fail until then.",
        why,
        f"Reconnect it on the account page: {account_page(account.platform)}",
    ]
    subject = f'[Social Studio] Reconnect the {label} account "{name}"'
    return sum(
        mail_one(
            user,
            "reconnect",
            subject,
            lines,
            Action.ACCOUNT_NOTIFIED,
            f"account {account.id} needs reconnecting",
            account_id=account.id,
        )
        for user in recipients(session, account)
    )


def sweep(session: Session) -> int:
    """E-mail about every account newly needing a reconnect; how many e-mails went."""
    return sum(tell(session, account_id) for account_id in pending(session))
