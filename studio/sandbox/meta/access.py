"""Who may touch which node: the person must manage the Page (or hold its Page token)."""

from __future__ import annotations

from studio.sandbox.meta.errors import unknown_object
from studio.sandbox.meta.models import Token
from studio.sandbox.meta.people import IgAccount, Page, ig_account, person

IG_SCOPES = ("instagram_basic", "instagram_content_publish", "pages_read_engagement")
PAGE_REELS_SCOPES = ("pages_show_list", "pages_read_engagement", "pages_manage_posts")


def managed_page(token: Token, page_id: str) -> Page:
    """The Page, if the token's person manages it (a Page token: only its own Page)."""
    if token.kind == "page" and token.page_id != page_id:
        raise unknown_object(page_id)
    who = person(token.person)
    found = next((pg for pg in (who.pages if who else ()) if pg.id == page_id), None)
    if found is None:
        raise unknown_object(page_id)
    return found


def managed_ig(token: Token, ig_id: str) -> tuple[IgAccount, Page]:
    """The IG account, if linked to a Page the token's person manages (user token)."""
    linked = ig_account(ig_id)
    if linked is None or token.kind == "page":
        raise unknown_object(ig_id)
    managed_page(token, linked[1].id)
    return linked
