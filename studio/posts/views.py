"""Post pages: prepare, preview with consent, send, list, detail, live status, retry, media."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from studio import db
from studio.auth.forms import ConfirmForm
from studio.errors import StudioBadRequest, StudioForbidden
from studio.platforms.models import Delivery, DeliveryStatus, Mode
from studio.posts import bp, bulk, captions, erasure, media_bp, rules, schedule, services
from studio.posts.forms import PrepareForm, SendForm
from studio.posts.media import MediaTokenError, read_token
from studio.posts.models import Post
from studio.posts.services import Draft, PostError, Target

PER_PAGE = 50


def _post_or_404(post_id: int) -> Post:
    post = services.get_post(db.session, post_id)
    if post is None:
        abort(404)
    return post


def _choices(form: PrepareForm) -> None:
    accounts = services.usable_accounts(db.session)
    form.account_id.choices = [SelectChoice(a.id, a.display_name or a.remote_id) for a in accounts]
    modes = [SelectChoice("draft", "Draft in the TikTok inbox (finish and post it in TikTok)")]
    if services.direct_post_enabled():
        modes.append(
            SelectChoice(
                "direct", "Post directly (for accounts that allow this app to publish for them)"
            )
        )
    form.mode.choices = modes


def _draft(form: PrepareForm, with_send: bool = False) -> Draft:
    direct = None
    if with_send and form.mode.data == Mode.DIRECT:
        direct = rules.DirectSettings(
            privacy_level=form.privacy_level.data or None,
            allow_comment=bool(form.allow_comment.data),
            allow_duet=bool(form.allow_duet.data),
            allow_stitch=bool(form.allow_stitch.data),
            commercial=bool(form.commercial.data),
            brand_organic=bool(form.brand_organic.data),
            brand_content=bool(form.brand_content.data),
        )
    return Draft(
        video_id=form.video_id.data or 0,
        account_id=form.account_id.data or 0,
        mode=Mode(form.mode.data or Mode.DRAFT),
        caption=form.caption.data or "",
        hashtags_raw=form.hashtags.data or "",
        product_name=form.product_name.data or "",
        product_sku=form.product_sku.data or "",
        is_aigc=bool(form.is_aigc.data),
        direct=direct,
        consent=bool(getattr(form, "consent", None) and form.consent.data),
    )


def _render_prepare(form: PrepareForm, status: int = 200, error: str | None = None):
    video = services.get_video_or_none(db.session, form.video_id.data)
    return render_template(
        "posts/new.html", form=form, video=video, error=error, limit=captions.MAX_TITLE_UTF16
    ), status


def _render_preview(
    form: SendForm, draft: Draft, target: Target, status: int = 200, errors: Any = None
):
    video = services.get_video_or_none(db.session, draft.video_id)
    if target.creator is not None:
        options = rules.privacy_choices(target.creator.privacy_level_options)
        form.privacy_level.choices = [SelectChoice("", "Choose who can view")] + [
            SelectChoice(value, label) for value, label in options
        ]
    consent = services.consent_sentence(draft, target.nickname, target.username)
    errors = dict(errors or {})
    if target.creator is not None and draft.mode == Mode.DIRECT and video is not None:
        # TikTok: block videos longer than the creator may post, before anyone ticks consent.
        found = rules.problems(rules.DirectSettings("-"), target.creator, video.duration_s)
        if "duration" in found:
            errors.setdefault("duration", found["duration"])
    return render_template(
        "posts/preview.html",
        form=form,
        draft=draft,
        target=target,
        video=video,
        consent=consent,
        errors=errors,
        rules=rules,
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
    return render_template("posts/index.html", posts=page.items, page=page)


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
    _choices(form)
    if request.method == "GET" or "edit" in request.form:
        form.csrf_token.errors = []
        if services.get_video_or_none(db.session, form.video_id.data) is None:
            abort(404)
        return _render_prepare(form)
    if not form.validate():
        return _render_prepare(form, 400)
    draft = _draft(form)
    try:
        _, account = services.check_target(db.session, draft)
        services.check_caption(draft)
        target = services.load_target(db.session, account, current_user)
    except PostError as exc:
        for name, message in exc.field_errors.items():
            if name in form:
                form[name].errors = [*form[name].errors, message]
        return _render_prepare(form, 400, exc.message)
    send = SendForm(formdata=None, data={**form.data, "nonce": secrets.token_urlsafe(24)})
    return _render_preview(send, draft, target)


@bp.post("/send")
@login_required
def send():
    form = SendForm()
    _choices(form)
    if not form.validate():
        raise StudioBadRequest("The form was incomplete or changed. Prepare the post again.")
    draft = _draft(form, with_send=True)
    account = services.get_account(db.session, draft.account_id)
    if account is None:
        abort(400)
    try:
        # Fetched again: the Direct Post rules are checked against what TikTok says now.
        target = services.load_target(db.session, account, current_user)
    except PostError as exc:
        return _render_prepare(form, 400, exc.message)
    consent = services.consent_sentence(draft, target.nickname, target.username)
    try:
        plan = schedule.plan_from(form, current_user)
        post, created = services.create_post(
            db.session, current_user, draft, form.nonce.data, target.creator, consent, plan
        )
    except schedule.PlanError as exc:
        return _render_preview(form, draft, target, 400, {exc.field: exc.message})
    except PostError as exc:
        flash(exc.message, "error")
        return _render_preview(form, draft, target, 400, exc.field_errors)
    if created:
        services.enqueue_post(post)
        flash(schedule.sent_message(plan), "success")
    return redirect(url_for("posts.detail", post_id=post.id))


@bp.get("/<int:post_id>")
@login_required
def detail(post_id: int):
    post = services.get_post(db.session, post_id)
    if post is None:
        return _tombstone(post_id)
    timeline = services.timeline(db.session, post, current_user)
    return render_template(
        "posts/detail.html",
        post=post,
        title=captions.compose_title(post.caption, post.hashtags or []),
        may_retry={d.id: services.may_retry(post, d, current_user) for d in post.deliveries},
        retry_form=ConfirmForm(),
        timeline=timeline,
        privacy_labels=rules.PRIVACY_LABELS,
        draft_status=DeliveryStatus.IN_INBOX,
    )


def _tombstone(post_id: int):
    """An erased post's page: that it was erased, when and by which request; nothing else."""
    erased = erasure.tombstone(db.session, post_id)
    if erased is None:
        abort(404)
    return render_template("posts/erased.html", post_id=post_id, erased=erased)


@bp.get("/<int:post_id>/status.json")
@login_required
def status(post_id: int):
    return jsonify(services.status_payload(_post_or_404(post_id)))


@bp.get("/status.json")
@login_required
def statuses():
    raw = request.args.get("ids", "")
    ids = [db.parse_id(i) for i in raw.split(",")][:PER_PAGE]
    posts = [services.get_post(db.session, i) for i in ids if i is not None]
    return jsonify({"posts": [services.status_payload(p) for p in posts if p is not None]})


@bp.post("/<int:post_id>/retry")
@login_required
def retry(post_id: int):
    """Retry a post's only delivery (the route from before posts had several)."""
    _check_confirm()
    post = _post_or_404(post_id)
    if len(post.deliveries) != 1:
        abort(404)
    return _retry(post, post.deliveries[0])


@bp.post("/<int:post_id>/deliveries/<int:delivery_id>/retry")
@login_required
def retry_delivery(post_id: int, delivery_id: int):
    _check_confirm()
    post = _post_or_404(post_id)
    delivery = services.get_delivery(db.session, post.id, delivery_id)
    if delivery is None:
        abort(404)
    return _retry(post, delivery)


def _check_confirm() -> None:
    if not ConfirmForm().validate():
        abort(400)


def _retry(post: Post, delivery: Delivery):
    if not (current_user.is_admin or post.created_by_id == current_user.id):
        raise StudioForbidden("Only an admin or the person who sent this post can retry it.")
    try:
        services.retry(db.session, post, delivery, current_user)
    except PostError as exc:
        flash(exc.message, "error")
        return redirect(url_for("posts.detail", post_id=post.id))
    services.enqueue(delivery.id)
    flash("Trying again.", "success")
    return redirect(url_for("posts.detail", post_id=post.id))


@media_bp.get("/<bearer:token>")
def fetch(token: str):
    """The video for TikTok's PULL_FROM_URL: signed, expiring, Range-capable, no redirects."""
    try:
        delivery_id, content_hash = read_token(token)
    except MediaTokenError as exc:
        raise StudioForbidden(str(exc).capitalize() + ".") from exc
    response = services.media_response(db.session, delivery_id, content_hash)
    if response is None:
        raise StudioForbidden("This media link is no longer valid.")
    current_app.logger.debug("media served for delivery %s", delivery_id)
    return response
