"""Workflow pages: queue, calendar, reschedule and cancel, review and approve, edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from studio import db
from studio.auth.forms import ConfirmForm
from studio.errors import StudioForbidden
from studio.platforms import registry
from studio.posts import approval, bp, calendar, captions, planning, services, targets
from studio.posts.approval import ApprovalError
from studio.posts.models import Post
from studio.posts.planning import PlanError
from studio.posts.schedule import ApproveForm, EditForm, RescheduleForm, SendBackForm, local_time
from studio.staff import zones


def _post(post_id: int) -> Post:
    post = services.get_post(db.session, post_id)
    if post is None:
        abort(404)
    return post


def _account_filter() -> int | None:
    return db.parse_id(request.args.get("account"))


@bp.get("/queue")
@login_required
def queue():
    account_id = _account_filter()
    return render_template(
        "posts/queue.html",
        lists=calendar.queue(db.session, account_id),
        waiting=calendar.waiting_for_approval(db.session),
        accounts=[account for _platform, account in targets.usable(db.session)],
        account_id=account_id,
        group=calendar.group,
        when=calendar.when,
        label_of=registry.label_of,
    )


@bp.get("/calendar")
@login_required
def calendar_page():
    view = "month" if request.args.get("view") == "month" else "week"
    zone = zones.zone_of(current_user)
    try:
        anchor = dt.date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        anchor = dt.datetime.now(zone).date()
    account_id = _account_filter()
    weeks, back, forward = calendar.grid(db.session, zone, view, anchor, account_id)
    return render_template(
        "posts/calendar.html",
        weeks=weeks,
        view=view,
        anchor=anchor,
        back=back,
        forward=forward,
        today=dt.datetime.now(zone).date(),
        accounts=[account for _platform, account in targets.usable(db.session)],
        account_id=account_id,
        group=calendar.group,
        label_of=registry.label_of,
        zone=zone.key,
    )


def _may_change(post: Post) -> None:
    if not (current_user.is_admin or post.created_by_id == current_user.id):
        raise StudioForbidden("Only an admin or the person who made this post can change it.")


def _delivery(post: Post, delivery_id: int) -> Any:
    delivery = services.get_delivery(db.session, post.id, delivery_id)
    if delivery is None:
        abort(404)
    return delivery


@bp.route("/<int:post_id>/deliveries/<int:delivery_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule(post_id: int, delivery_id: int):
    post = _post(post_id)
    _may_change(post)
    delivery = _delivery(post, delivery_id)
    form = RescheduleForm()
    error = None
    if request.method == "POST":
        if not form.validate():
            abort(400)
        try:
            at = local_time(form, current_user)
            services.wake(planning.reschedule(db.session, current_user, delivery, at))
        except PlanError as exc:
            error = exc.message
        else:
            flash("Moved. It goes out at its new time.", "success")
            return redirect(url_for("posts.detail", post_id=post.id))
    page = render_template(
        "posts/reschedule.html",
        post=post,
        delivery=delivery,
        form=form,
        error=error,
        changeable=planning.changeable(delivery),
        zone=zones.zone_name(current_user),
    )
    return page, 400 if error else 200


@bp.post("/<int:post_id>/deliveries/<int:delivery_id>/cancel")
@login_required
def cancel(post_id: int, delivery_id: int):
    post = _post(post_id)
    _may_change(post)
    delivery = _delivery(post, delivery_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        planning.cancel(db.session, current_user, delivery)
    except PlanError as exc:
        flash(exc.message, "error")
    else:
        flash("Cancelled; nothing was sent.", "success")
    return redirect(url_for("posts.detail", post_id=post.id))


@bp.get("/<int:post_id>/review")
@login_required
def review(post_id: int):
    post = _post(post_id)
    return render_template(
        "posts/review.html",
        post=post,
        title=captions.compose_title(post.caption, post.hashtags or []),
        digest=approval.digest(post),
        may_approve=approval.may_approve(post, current_user),
        approve_form=ApproveForm(formdata=None, digest=approval.digest(post)),
        back_form=SendBackForm(formdata=None),
        privacy_labels=targets.value_labels(),
        platforms={p.name: p for p in registry.PLATFORMS},
    )


@bp.post("/<int:post_id>/approve")
@login_required
def approve(post_id: int):
    post = _post(post_id)
    form = ApproveForm()
    if not form.validate():
        abort(400)
    try:
        approval.approve(db.session, post, current_user, form.digest.data)
    except ApprovalError as exc:
        flash(exc.message, "error")
        return redirect(url_for("posts.review", post_id=post.id))
    services.enqueue_post(post)
    flash("Approved.", "success")
    return redirect(url_for("posts.detail", post_id=post.id))


@bp.post("/<int:post_id>/send-back")
@login_required
def send_back(post_id: int):
    post = _post(post_id)
    form = SendBackForm()
    if not form.validate():
        abort(400)
    try:
        approval.send_back(db.session, post, current_user, form.reason.data or "")
    except ApprovalError as exc:
        flash(exc.message, "error")
        return redirect(url_for("posts.review", post_id=post.id))
    flash("Sent back to the author with your reason.", "success")
    return redirect(url_for("posts.detail", post_id=post.id))


@bp.post("/<int:post_id>/edit")
@login_required
def edit(post_id: int):
    post = _post(post_id)
    form = EditForm()
    if not form.validate():
        abort(400)
    try:
        caption, hashtags = form.caption.data or "", form.hashtags.data or ""
        approval.edit(db.session, post, current_user, caption, hashtags)
    except ApprovalError as exc:
        flash(exc.message, "error")
    else:
        flash("Saved.", "success")
    return redirect(url_for("posts.detail", post_id=post.id))


def post_plan(post: Post) -> dict[str, Any]:
    """What the post page's workflow panel shows to the signed-in person (template global)."""
    user = current_user
    mine = user.is_admin or post.created_by_id == user.id
    return {
        "approved": approval.is_approved(post),
        "may_approve": approval.may_approve(post, user),
        "may_edit": approval.may_edit(post, user),
        "changeable": {d.id: mine and planning.changeable(d) for d in post.deliveries},
        "late": {d.id: planning.lateness(d) for d in post.deliveries},
        "edit_form": EditForm(
            formdata=None, caption=post.caption, hashtags=" ".join(post.hashtags or [])
        ),
    }


@bp.get("/<int:post_id>/duplicate")
@login_required
def duplicate(post_id: int):
    """The prepare form filled from an existing post, to send it again or to other accounts."""
    post = _post(post_id)
    if not post.video.has_file:
        flash("The video file was deleted from this server; upload it again.", "error")
        return redirect(url_for("posts.detail", post_id=post.id))
    return redirect(url_for("posts.new", video_id=post.video_id, like=post.id))
