"""A sent post's pages: its detail, live status and retry; and the media link TikTok pulls."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from studio import db
from studio.auth.forms import ConfirmForm
from studio.errors import StudioForbidden
from studio.platforms import registry
from studio.platforms.models import Delivery, DeliveryStatus
from studio.posts import bp, captions, erasure, media, media_bp, services, targets
from studio.posts.media import MediaTokenError, read_token
from studio.posts.models import Post
from studio.posts.services import PostError
from studio.posts.status import status_payload

MAX_IDS = 50  # posts one status call covers: a page of the list


def _post_or_404(post_id: int) -> Post:
    post = services.get_post(db.session, post_id)
    if post is None:
        abort(404)
    return post


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
        privacy_labels=targets.value_labels(),
        draft_status=DeliveryStatus.IN_INBOX,
        platforms={p.name: p for p in registry.PLATFORMS},
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
    return jsonify(status_payload(_post_or_404(post_id)))


@bp.get("/status.json")
@login_required
def statuses():
    raw = request.args.get("ids", "")
    ids = [db.parse_id(i) for i in raw.split(",")][:MAX_IDS]
    posts = [services.get_post(db.session, i) for i in ids if i is not None]
    return jsonify({"posts": [status_payload(p) for p in posts if p is not None]})


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
    response = media.response(db.session, delivery_id, content_hash)
    if response is None:
        raise StudioForbidden("This media link is no longer valid.")
    current_app.logger.debug("media served for delivery %s", delivery_id)
    return response
