"""Which Pages and Instagram accounts of a Meta login become accounts in the app.

The choice is always checked against what Meta lists for the login now (`/me/accounts`):
nothing from the form is trusted beyond the ids it names, and a wrong id stores nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record
from studio.platforms.grants import close_grant
from studio.platforms.meta.connection import INSTAGRAMS, PAGES, get_client
from studio.platforms.meta.errors import PlatformError
from studio.platforms.meta.results import InstagramAccount, Page
from studio.platforms.meta.services import DISCONNECTED, children
from studio.platforms.meta.tokens import ReconnectNeeded, store_page_token, user_token
from studio.platforms.models import Account, AccountStatus


class ChoiceError(Exception):
    """A choice that cannot be stored; the message is for staff, the status for the page."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Offer:
    """A Page the login manages, its linked Instagram account, and what is chosen already."""

    page: Page
    page_chosen: bool
    ig_chosen: bool


def offers(session: Session, login: Account) -> list[Offer]:
    """What Meta lists for the login now, marked with what the app already uses."""
    in_use = {(a.platform, a.remote_id) for a in children(session, login) if a.is_usable}
    return [
        Offer(
            page,
            ("facebook", page.id) in in_use,
            page.instagram is not None and ("instagram", page.instagram.id) in in_use,
        )
        for page in _pages(session, login)
    ]


def choose(
    session: Session, login: Account, page_ids: list[str], ig_ids: list[str], user: object
) -> list[Account]:
    """Store the chosen Pages (with their Page tokens) and Instagram accounts; end the
    grants of those no longer chosen. Raises ChoiceError, storing nothing, on a bad choice."""
    pages = {p.id: p for p in _pages(session, login)}
    igs = {p.instagram.id: (p.instagram, p) for p in pages.values() if p.instagram is not None}
    _check(pages, igs, page_ids, ig_ids)
    actor = Actor.user(user)
    chosen = [_store_page(session, login, pages[i], user) for i in dict.fromkeys(page_ids)]
    chosen += [_store_ig(session, login, *igs[i], user) for i in dict.fromkeys(ig_ids)]
    kept = {a.id for a in chosen}
    reason = f"no longer chosen by staff member #{getattr(user, 'id', '?')}"
    for account in children(session, login):
        if account.id not in kept and account.status != AccountStatus.DISCONNECTED:
            summary = f"stopped using {account.platform} account #{account.id}: {reason}"
            close_grant(session, account, actor, reason, DISCONNECTED, summary)
    record(
        Action.META_ACCOUNTS_CHOSEN,
        actor=actor,
        summary=f"chose {len(chosen)} account(s) of Meta login #{login.id}",
        payload={"accounts": [[a.platform, a.id, a.display_name] for a in chosen]},
        account_id=login.id,
    )
    return chosen


def _check(
    pages: dict[str, Page],
    igs: dict[str, tuple[InstagramAccount, Page]],
    page_ids: list[str],
    ig_ids: list[str],
) -> None:
    if not page_ids and not ig_ids:
        raise ChoiceError("Choose at least one Page or Instagram account.")
    unknown = [i for i in page_ids if i not in pages] + [i for i in ig_ids if i not in igs]
    if unknown:
        raise ChoiceError(
            "Meta does not list this login as managing "
            + ", ".join(f"“{i[:40]}”" for i in unknown)
            + ". Nothing was changed; choose again from the list."
        )
    blocked = [pages[i].name for i in page_ids if not pages[i].can_publish]
    blocked += [igs[i][1].name for i in ig_ids if not igs[i][1].can_publish]
    if blocked:
        raise ChoiceError(
            "The person who connected cannot create content on "
            + ", ".join(dict.fromkeys(blocked))
            + " (Meta's CREATE_CONTENT task). Nothing was changed."
        )


def _pages(session: Session, login: Account) -> list[Page]:
    try:
        token = user_token(session, login.id)
        with get_client() as client:
            return client.pages(token)
    except ReconnectNeeded as exc:
        raise ChoiceError(f"The Meta login needs reconnecting: {exc.reason}", 409) from exc
    except PlatformError as exc:
        raise ChoiceError(
            "Meta did not list the Pages just now; nothing was changed. Try again in a moment.",
            502,
        ) from exc


def _store_page(session: Session, login: Account, page: Page, user: object) -> Account:
    def fill(account: Account, now: dt.datetime) -> None:
        _profile(account, login, page.name, None, page.picture_url)
        store_page_token(account, page.access_token, now)

    return PAGES.store_connected(session, page.id, user, None, fill)


def _store_ig(
    session: Session, login: Account, ig: InstagramAccount, page: Page, user: object
) -> Account:
    def fill(account: Account, now: dt.datetime) -> None:
        handle = f"@{ig.username}" if ig.username else None
        _profile(account, login, ig.name or ig.username, handle, ig.picture_url)
        # No token of its own: Instagram publishing uses the login's user token
        # (tokens.token_for); the data key is the account's, for what it may hold later.
        account.access_token_enc = None
        account.access_expires_at = None

    return INSTAGRAMS.store_connected(session, ig.id, user, None, fill)


def _profile(account: Account, login: Account, name: str, handle: str | None, picture: str) -> None:
    account.display_name = name[:255]
    account.handle = handle[:255] if handle else None
    account.avatar_url = picture[:2048] or None
    account.parent_id = login.id
    account.scopes = login.scopes
    account.refresh_expires_at = None
