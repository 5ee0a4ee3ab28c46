"""The admins' deletion-request queue: deadlines, approve, reject, extend, run now."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from studio import db
from studio.audit import Actor
from studio.auth.decorators import admin_required
from studio.auth.forms import ConfirmForm
from studio.privacy import bp, rights, services
from studio.privacy.forms import ExtendForm, RejectForm, ResolveForm
from studio.privacy.models import DeletionRequest, RequestStatus
from studio.privacy.receipt import labels as receipt_labels


def _request(request_id: int) -> DeletionRequest:
    req = db.session.get(DeletionRequest, request_id)
    if req is None:
        abort(404)
    return req


@bp.get("/privacy/requests")
@admin_required
def requests():
    now = db.utcnow()
    open_ = services.open_requests(db.session)
    return render_template(
        "privacy/requests.html",
        open_requests=[(r, services.urgency(r, now)) for r in open_],
        closed=services.closed_requests(db.session),
        now=now,
    )


@bp.get("/privacy/requests/<int:request_id>")
@admin_required
def request_detail(request_id: int):
    req = _request(request_id)
    return render_template(
        "privacy/request.html",
        req=req,
        urgency=services.urgency(req),
        receipt=services.receipt(req),
        labels=receipt_labels(),
        form=ConfirmForm(),
        reject_form=RejectForm(prefix="reject"),
        extend_form=ExtendForm(prefix="extend"),
        resolve_form=ResolveForm(prefix="resolve"),
        correction=services.subject(req).get("correction"),
        statuses=RequestStatus,
    )


def _done(req: DeletionRequest, message: str):
    flash(message, "success")
    return redirect(url_for("privacy.request_detail", request_id=req.id))


def _refused(req: DeletionRequest, exc: Exception):
    flash(str(exc), "error")
    return redirect(url_for("privacy.request_detail", request_id=req.id))


@bp.post("/privacy/requests/<int:request_id>/approve")
@admin_required
def approve(request_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    req = _request(request_id)
    try:
        rights.approve(db.session, req, current_user)
    except services.RequestError as exc:
        return _refused(req, exc)
    return _done(req, f"Request #{req.id} approved; erasure is running.")


@bp.post("/privacy/requests/<int:request_id>/run")
@admin_required
def run_now(request_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    req = _request(request_id)
    try:
        rights.approve(db.session, req, current_user)
    except services.RequestError as exc:
        return _refused(req, exc)
    return _done(req, f"Request #{req.id} is running now.")


@bp.post("/privacy/requests/<int:request_id>/reject")
@admin_required
def reject(request_id: int):
    req = _request(request_id)
    form = RejectForm(prefix="reject")
    if not form.validate_on_submit():
        flash("Give the reason the requester will read.", "error")
        return redirect(url_for("privacy.request_detail", request_id=req.id))
    try:
        services.reject(db.session, req, current_user, form.reason.data)
    except services.RequestError as exc:
        return _refused(req, exc)
    return _done(req, f"Request #{req.id} rejected.")


@bp.post("/privacy/requests/<int:request_id>/extend")
@admin_required
def extend(request_id: int):
    req = _request(request_id)
    form = ExtendForm(prefix="extend")
    if not form.validate_on_submit():
        flash("Choose the extension and give its reason.", "error")
        return redirect(url_for("privacy.request_detail", request_id=req.id))
    try:
        services.extend(db.session, req, current_user, int(form.months.data), form.reason.data)
    except services.RequestError as exc:
        return _refused(req, exc)
    return _done(req, f"Deadline of request #{req.id} extended to {req.due_at:%d %B %Y}.")


@bp.post("/privacy/requests/<int:request_id>/resolve")
@admin_required
def resolve(request_id: int):
    """Complete a copy or correction request with a note; nothing is erased."""
    req = _request(request_id)
    form = ResolveForm(prefix="resolve")
    if not form.validate_on_submit():
        flash("Write the note the requester will read.", "error")
        return redirect(url_for("privacy.request_detail", request_id=req.id))
    try:
        rights.resolve(db.session, req, Actor.user(current_user), form.note.data, current_user.id)
    except services.RequestError as exc:
        return _refused(req, exc)
    return _done(req, f"Request #{req.id} completed.")
