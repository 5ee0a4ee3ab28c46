"""Saved caption and hashtag templates: shared by staff, changed by their author or an admin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record
from studio.posts import captions
from studio.posts.models import CaptionTemplate, folded

MAX_NAME = 80


class PresetError(Exception):
    """A template cannot be saved or changed; the message is for people."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def list_all(session: Session) -> list[CaptionTemplate]:
    """Every template, by name."""
    return list(session.scalars(select(CaptionTemplate).order_by(CaptionTemplate.name_key)))


def get(session: Session, template_id: int | None) -> CaptionTemplate | None:
    """The template with this id, or None."""
    return session.get(CaptionTemplate, template_id) if template_id else None


def may_change(template: CaptionTemplate, user: Any) -> bool:
    """Its author or an admin may edit or delete a template; every staff member may use it."""
    return bool(user.is_admin or template.created_by_id == user.id)


def applied(template: CaptionTemplate) -> dict[str, str]:
    """The prepare form's caption and hashtags fields filled from ``template``."""
    return {"caption": template.caption, "hashtags": " ".join(template.hashtags or [])}


def _checked(
    session: Session, name: str, caption: str, hashtags_raw: str, own_id: int | None
) -> tuple[str, str, list[str]]:
    """The cleaned name, caption and hashtags; raises PresetError naming the field at fault."""
    name = " ".join((name or "").split())
    if not name:
        raise PresetError("Give the template a name.", "name")
    if len(name) > MAX_NAME:
        raise PresetError(f"Keep the name to {MAX_NAME} characters.", "name")
    caption = (caption or "").replace("\r\n", "\n").strip()
    hashtags = captions.normalise_hashtags(hashtags_raw, caption)
    if not caption and not hashtags:
        raise PresetError("Write a caption or some hashtags to save.", "caption")
    problem = captions.title_problem(captions.compose_title(caption, hashtags))
    if problem:
        raise PresetError(problem, "caption")
    same = session.scalar(
        select(CaptionTemplate.id).where(CaptionTemplate.name_key == folded(name))
    )
    if same is not None and same != own_id:
        raise PresetError(f"A template named “{name}” already exists.", "name")
    return name, caption, hashtags


def _commit(session: Session, name: str) -> None:
    try:
        session.commit()
    except IntegrityError:  # saved by someone else between the check and the commit
        session.rollback()
        raise PresetError(f"A template named “{name}” already exists.", "name") from None


def create(
    session: Session, user: Any, name: str, caption: str, hashtags_raw: str
) -> CaptionTemplate:
    """Save a new template by ``user``."""
    name, caption, hashtags = _checked(session, name, caption, hashtags_raw, None)
    template = CaptionTemplate(name=name, caption=caption, hashtags=hashtags, created_by=user)
    session.add(template)
    _commit(session, name)
    _audit(Action.CAPTION_TEMPLATE_SAVED, template, user, "saved")
    return template


def update(
    session: Session,
    template: CaptionTemplate,
    user: Any,
    name: str,
    caption: str,
    hashtags_raw: str,
) -> CaptionTemplate:
    """Change a template; only its author or an admin may."""
    _require_change(template, user)
    name, caption, hashtags = _checked(session, name, caption, hashtags_raw, template.id)
    template.name, template.caption, template.hashtags = name, caption, hashtags
    _commit(session, name)
    _audit(Action.CAPTION_TEMPLATE_CHANGED, template, user, "changed")
    return template


def delete(session: Session, template: CaptionTemplate, user: Any) -> None:
    """Delete a template; only its author or an admin may."""
    _require_change(template, user)
    session.delete(template)
    session.commit()
    _audit(Action.CAPTION_TEMPLATE_DELETED, template, user, "deleted")


def _require_change(template: CaptionTemplate, user: Any) -> None:
    if not may_change(template, user):
        raise PresetError("Only the template's author or an admin can change or delete it.")


def _audit(action: Action, template: CaptionTemplate, user: Any, verb: str) -> None:
    # The name only: a caption can mention people, and the summary must not hold personal data.
    record(
        action,
        actor=Actor.user(user),
        summary=f"caption template {template.id} {verb}",
        payload={"template_id": template.id, "name": template.name},
    )
