"""Public pages that prove ownership: a platform's sign-in, e-mailed links; revoking access."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from studio import db
from studio.auth.forms import ConfirmForm
from studio.extensions import limiter
from studio.platforms.oauth import FlowError
from studio.privacy import bp, browser, links, verify
from studio.privacy.forms import SignInForm
from studio.privacy.models import DeletionRequest
from studio.privacy.views import _form_limit, _problem


@bp.post("/data-deletion/verify")
@limiter.limit(_form_limit)
def verify_start():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = browser.latest_filed(db.session)
    if row is None:
        return _problem("Nothing to verify", "Start by filing a data request.", 400)
    req = db.session.get(DeletionRequest, row.request_id)
    kind = req.kind if req is not None else "tiktok"
    try:
        return redirect(verify.start(verify.purpose_of(req), row.request_id, kind), 303)
    except verify.VerifyError as exc:
        return _problem("Nothing to verify", str(exc), 400)


@bp.get("/privacy/verify/callback")
@limiter.limit(_form_limit)
def verify_callback():
    try:
        context, verified = verify.finish(db.session, request.args)
    except FlowError as exc:
        return _problem(exc.title, exc.message, exc.status)
    except verify.VerifyError as exc:
        return _problem("Not verified", str(exc), 400)
    if context.get("purpose") == "revoke":
        verify.remember_revoke(verify.revoke_now(db.session, verified), verified.erasure.kind)
        return redirect(url_for("privacy.revoked"), 303)
    return _verified_deletion(context, verified)


def _verified_deletion(context: dict, verified: verify.Verified):
    request_id = context.get("request_id")
    req = db.session.get(DeletionRequest, request_id) if request_id else None
    if req is None or browser.held(db.session, req.id) is None:
        return _problem("Not verified", "This sign-in does not belong to a request.", 400)
    try:
        verify.verify_request(db.session, req, verified)
    except verify.VerifyError as exc:
        return _problem("Not verified", str(exc), 403)
    browser.mark_verified(db.session, req)
    return redirect(url_for("privacy.verified"), 303)


@bp.route("/data-deletion/email/<bearer:token>", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
@limiter.limit("60 per minute", methods=["GET"])
def email_verify(token: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        if request.method == "POST":
            abort(400)
        state = links.link_state(db.session, token)
        return render_template("privacy/email_confirm.html", form=form, state=state)
    try:
        req = links.verify_email_request(db.session, token)
    except links.LinkUsed as exc:
        return _problem("Link already used", str(exc), 410)
    except verify.VerifyError as exc:
        return _problem("Link not valid", str(exc), 400)
    browser.mark_verified(db.session, req)
    return redirect(url_for("privacy.verified"), 303)


@bp.route("/revoke")
@limiter.limit("120 per minute")
def revoke():
    return render_template("privacy/revoke.html", form=SignInForm(), sign_ins=verify.sign_ins())


@bp.post("/revoke")
@limiter.limit(_form_limit)
def revoke_start():
    form = SignInForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        return redirect(verify.start("revoke", kind=form.kind.data or "tiktok"), 303)
    except verify.VerifyError as exc:
        return _problem("Not available", str(exc), 400)


@bp.get("/revoke/done")
@limiter.limit("60 per minute")
def revoked():
    outcome, sign_in = verify.revoke_outcome()
    return render_template("privacy/revoked.html", outcome=outcome, sign_in=sign_in)
