"""Post pages: prepare, preview with consent, send, and the list (a sent post: post_views)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from studio import db
from studio.errors import StudioBadRequest
from studio.platforms import registry
from studio.platforms.options import Common
from studio.posts import (
    bp,
    bulk,
    captions,
    presets,
    schedule,
    services,
    targets,
)
from studio.posts.forms import PrepareForm, SendForm
from studio.posts.services import Draft, PostError
from studio.posts.targets import Choice, TargetError
from studio.videos.models import Video

PER_PAGE = 50


def _draft(form: PrepareForm) -> Draft:
    return Draft(
        video_id=form.video_id.data or 0,
        caption=form.caption.data or "",
        hashtags_raw=form.hashtags.data or "",
        product_name=form.product_name.data or "",
        product_sku=form.product_sku.data or "",
        is_aigc=bool(form.is_aigc.data),
        consent=bool(getattr(form, "consent", None) and form.consent.data),
    )


def _offered(form: PrepareForm) -> list[Choice]:
    """Every usable account's section, filled from the posted form (the ticked ones marked)."""
    formdata = request.form if request.method == "POST" else None
    return targets.offered(db.session, formdata, list(form.account_id.data or []))


def _prepared(form: PrepareForm, choices: list[Choice]) -> tuple[Draft, Video, Common]:
    """The post's fields and each ticked target's section checked; raises PostError/TargetError."""
    draft = _draft(form)
    video = services.check_video(db.session, draft.video_id)
    services.check_caption(draft)
    shared = targets.common(video, draft.title, draft.caption, draft.hashtags, draft.is_aigc)
    chosen = [c for c in choices if c.ticked]
    targets.check_prepared(chosen, list(form.account_id.data or []), shared)
    targets.load(db.session, chosen, current_user)
    return draft, video, shared


def _attach(form: PrepareForm, choices: list[Choice], errors: dict[str, str]) -> list[str]:
    """Put each error at its field; returns those that belong to no field."""
    forms = [form, *(f for c in choices for f in (c.prepared, c.confirm) if f is not None)]
    loose = []
    for name, message in errors.items():
        owner = next((f for f in forms if _field(f, name) is not None), None)
        if owner is None:
            loose.append(message)
            continue
        field = _field(owner, name)
        field.errors = [*field.errors, message]
    return loose


def _field(form: Any, name: str) -> Any:
    prefix = getattr(form, "_prefix", "")
    if prefix and not name.startswith(prefix):
        return None
    short = name.removeprefix(prefix)
    return form[short] if short in form and form[short].name == name else None


def _render_prepare(
    form: PrepareForm, choices: list[Choice], status: int = 200, error: str | None = None
):
    video = services.get_video_or_none(db.session, form.video_id.data)
    ticked = [c for c in choices if c.ticked]
    notes = [
        (
            p,
            [c for c in ticked if c.platform is p],
            not ticked or any(c.platform is p for c in ticked),
        )
        for p in registry.PLATFORMS
        if p.options.note_template
    ]
    return render_template(
        "posts/new.html",
        form=form,
        video=video,
        error=error,
        choices=choices,
        groups=[(p, [c for c in choices if c.platform is p]) for p in registry.PLATFORMS],
        notes=notes,
        limit=captions.MAX_TITLE_UTF16,
        presets=presets.list_all(db.session),
    ), status


def _apply_preset(form: PrepareForm, value: str | None) -> tuple[int, str | None]:
    """Fill the caption and hashtags from the chosen template: (status, why it could not)."""
    if not value:
        return 400, "Choose a caption template to apply."
    template = presets.get(db.session, db.parse_id(value))
    if template is None:
        return 404, "That caption template no longer exists. Choose another."
    fields = presets.applied(template)
    form.caption.data, form.hashtags.data = fields["caption"], fields["hashtags"]
    return 200, None


def _render_preview(
    form: SendForm,
    draft: Draft,
    chosen: list[Choice],
    video: Video,
    status: int = 200,
    errors: dict[str, str] | None = None,
):
    loose = _attach(form, chosen, errors or {})
    labels = list(dict.fromkeys(c.platform.label for c in chosen))
    button = chosen[0].preview.get("button") if len(chosen) == 1 else None
    return render_template(
        "posts/preview.html",
        form=form,
        draft=draft,
        chosen=chosen,
        video=video,
        consent=targets.consent_text(chosen),
        errors=errors or {},
        loose=loose,
        where=" and ".join(labels) if len(labels) < 3 else "each platform",
        button=button or f"Send to all {len(chosen)} accounts",
    ), status


@bp.get("/")
@login_required
def index():
    page = services.list_posts(
        db.session,
        before=db.parse_id(request.args.get("before")),
        after=db.parse_id(request.args.get("after")),
        limit=PER_PAGE,
    )
    return render_template(
        "posts/index.html",
        posts=page.items,
        page=page,
        platforms={p.name: p for p in registry.PLATFORMS},
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if request.method == "GET":
        like = services.get_post(db.session, db.parse_id(request.args.get("like")) or 0)
        form = PrepareForm(
            formdata=None,
            **{"video_id": db.parse_id(request.args.get("video_id")), **bulk.copied_fields(like)},
        )
    else:
        form = PrepareForm()
    choices = _offered(form)
    if request.method == "GET" or {"edit", "show", "apply"} & request.form.keys():
        form.csrf_token.errors = []
        if services.get_video_or_none(db.session, form.video_id.data) is None:
            abort(404)
        if request.method == "GET" and len(choices) == 1:  # the only account: as before
            choices[0].ticked = True
            form.account_id.data = [choices[0].account.id]
        status, error = 200, None
        if "apply" in request.form or request.args.get("template"):
            status, error = _apply_preset(form, request.values.get("template"))
        return _render_prepare(form, choices, status, error)
    if not form.validate():
        return _render_prepare(form, choices, 400)
    try:
        draft, video, shared = _prepared(form, choices)
    except (PostError, TargetError) as exc:
        _attach(form, choices, exc.field_errors)
        return _render_prepare(form, choices, 400, exc.message)
    chosen = [c for c in choices if c.ticked]
    targets.confirm(None, chosen, shared)
    send = SendForm(formdata=None, data={**form.data, "nonce": secrets.token_urlsafe(24)})
    return _render_preview(send, draft, chosen, video)


@bp.post("/send")
@login_required
def send():
    form = SendForm()
    if not form.validate():
        raise StudioBadRequest("The form was incomplete or changed. Prepare the post again.")
    choices = _offered(form)
    try:
        # Checked again, and fetched again: each platform's rules against what it says now.
        draft, video, shared = _prepared(form, choices)
    except (PostError, TargetError) as exc:
        _attach(form, choices, exc.field_errors)
        return _render_prepare(form, choices, 400, exc.message)
    chosen = [c for c in choices if c.ticked]
    targets.confirm(request.form, chosen, shared)
    try:
        targets.check_confirmed(chosen, shared)
        plan = schedule.plan_from(form, current_user)
        post, created = services.create_post(
            db.session,
            current_user,
            draft,
            form.nonce.data,
            targets.deliveries(chosen, shared),
            targets.consent_text(chosen),
            plan,
        )
    except schedule.PlanError as exc:
        return _render_preview(form, draft, chosen, video, 400, {exc.field: exc.message})
    except (PostError, TargetError) as exc:
        flash(exc.message, "error")
        return _render_preview(form, draft, chosen, video, 400, exc.field_errors)
    if created:
        services.enqueue_post(post)
        flash(schedule.sent_message(plan), "success")
    return redirect(url_for("posts.detail", post_id=post.id))
