"""The demo people, Pages and Instagram professional accounts one can log in as."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class IgAccount:
    """An Instagram professional account linked to a Page."""

    id: str
    username: str
    name: str


@dataclass(frozen=True)
class Page:
    """A Facebook Page; `ig` is its linked Instagram professional account, if any."""

    id: str
    name: str
    category: str
    ig: IgAccount | None
    tasks: tuple[str, ...] = ("ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE")


@dataclass(frozen=True)
class Person:
    """A Facebook user; `user_id` is app-scoped, as Meta gives it to one app."""

    key: str
    user_id: str
    name: str
    pages: tuple[Page, ...]


ACME_IG = IgAccount("17841400000000001", "acme.studio", "Acme Studio")
ACME_PAGE = Page("104000000000001", "Acme Studio", "Product/service", ACME_IG)
SIDE_PAGE = Page("104000000000002", "Acme Outlet", "Shopping & retail", None)
PEOPLE = (
    Person("dana", "10200000000000001", "Dana Demo", (ACME_PAGE, SIDE_PAGE)),
    Person("pat", "10200000000000002", "Pat Plain", (SIDE_PAGE,)),
    Person("nobody", "10200000000000003", "Nora Nopage", ()),
)


def person(key: str) -> Person | None:
    """The person with this key (`dana`, `pat`, `nobody`)."""
    return next((p for p in PEOPLE if p.key == key), None)


def person_by_user_id(user_id: str) -> Person | None:
    """The person with this app-scoped id."""
    return next((p for p in PEOPLE if p.user_id == user_id), None)


def page(page_id: str) -> Page | None:
    """Any demo Page by id."""
    return next((pg for p in PEOPLE for pg in p.pages if pg.id == page_id), None)


def ig_account(ig_id: str) -> tuple[IgAccount, Page] | None:
    """An IG account by id, with the Page it is linked to."""
    for p in PEOPLE:
        for pg in p.pages:
            if pg.ig is not None and pg.ig.id == ig_id:
                return pg.ig, pg
    return None


def picture_svg(label: str) -> str:
    """A small SVG picture with the label's initials."""
    initials = escape("".join(w[0] for w in label.split()[:2]).upper() or "?")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        '<rect width="100" height="100" fill="#1877f2"/>'
        f'<text x="50" y="62" font-size="36" text-anchor="middle" fill="#fff">{initials}</text>'
        "</svg>"
    )
