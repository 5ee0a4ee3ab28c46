"""Public privacy pages at the URLs registered with TikTok: policy, deletion, revocation."""

from __future__ import annotations

import json
import time

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from studio import db
from studio.audit import Action, Actor, record
from studio.auth.forms import ConfirmForm
from studio.extensions import limiter
from studio.privacy import bp, codes, export, inventory, services, verify
from studio.privacy import policy as policies
from studio.privacy.forms import DeletionForm, StatusForm
from studio.privacy.models import DeletionRequest, RequestStatus

SHOW_CODE = "privacy_code"
PENDING = "privacy_pending"
VERIFIED = "privacy_verified"
TRACK = "privacy_track"  # the requester's own code, to take them to their status page
VERIFIED_TTL = 3600


def _form_limit() -> str:
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


def _status_limit() -> str:
    return current_app.config["DELETION_STATUS_RATE_LIMIT"]


@bp.route("/privacy")
@limiter.limit("120 per minute")
def policy():
    content = policies.content(current_app.config)
    version = policies.current_version(db.session, policies.content_hash(content))
    return render_template(
        "privacy/policy.html",
        content=content,
        version=version,
        stores=inventory.STORES,
        webhook_opens=current_app.config["WEBHOOK_OPENS_DELETION"],
    )


@bp.route("/data-deletion", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
@limiter.limit("120 per minute", methods=["GET"])
def deletion():
    form = DeletionForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("privacy/deletion.html", form=form, status=StatusForm()), status
    if form.website.data:
        # A bot filled the honeypot: answer as usual, store nothing.
        session[SHOW_CODE] = {"code": codes.new_code(), "kind": form.kind.data}
        return redirect(url_for("privacy.received"), 303)
    code = _open_from_form(form)
    session[SHOW_CODE] = {"code": code, "kind": form.kind.data}
    session[TRACK] = code
    return redirect(url_for("privacy.received"), 303)


def _open_from_form(form: DeletionForm) -> str:
    if form.kind.data == "email":
        email = form.email.data
        req, code = services.open_request(
            db.session,
            kind="email",
            source="form",
            subject={"email": email},
            identifier=email,
            actor=Actor.public(),
        )
        verify.send_email_link(req, email)
        return code
    req, code = services.open_request(
        db.session,
        kind="tiktok",
        source="form",
        subject={"name": form.name.data},
        identifier=form.name.data,
        actor=Actor.public(),
    )
    session[PENDING] = req.id
    return code


@bp.get("/data-deletion/received")
@limiter.limit("60 per minute")
def received():
    shown = session.pop(SHOW_CODE, None)
    if not shown:
        return redirect(url_for("privacy.deletion"))
    code = shown["code"]
    return render_template(
        "privacy/received.html",
        code=code,
        grouped=codes.grouped(code),
        kind=shown["kind"],
        status_url=url_for("privacy.status", code=code, _external=True),
        can_verify=bool(session.get(PENDING)),
        form=ConfirmForm(),
    )


@bp.post("/data-deletion/verify")
@limiter.limit(_form_limit)
def verify_start():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    request_id = session.get(PENDING)
    if not request_id:
        return _problem("Nothing to verify", "Start by filing a deletion request.", 400)
    return redirect(verify.start("deletion", request_id), 303)


@bp.get("/privacy/verify/callback")
@limiter.limit(_form_limit)
def verify_callback():
    from studio.tiktok.services import FlowError

    try:
        context, identity = verify.finish(db.session, request.args)
    except FlowError as exc:
        return _problem(exc.title, exc.message, exc.status)
    except verify.VerifyError as exc:
        return _problem("Not verified", str(exc), 400)
    if context.get("purpose") == "revoke":
        verify.remember_revoke(verify.revoke_now(db.session, identity))
        return redirect(url_for("privacy.revoked"), 303)
    return _verified_deletion(context, identity)


def _verified_deletion(context: dict, identity: verify.Identity):
    request_id = context.get("request_id")
    req = db.session.get(DeletionRequest, request_id) if request_id else None
    if req is None or session.get(PENDING) != req.id:
        return _problem("Not verified", "This sign-in does not belong to a request.", 400)
    try:
        verify.verify_tiktok_request(db.session, req, identity)
    except verify.VerifyError as exc:
        return _problem("Not verified", str(exc), 403)
    session.pop(PENDING, None)
    session[VERIFIED] = {"id": req.id, "until": time.time() + VERIFIED_TTL}
    return redirect(url_for("privacy.verified"), 303)


@bp.route("/data-deletion/email/<token>", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
@limiter.limit("60 per minute", methods=["GET"])
def email_verify(token: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        if request.method == "POST":
            abort(400)
        valid = codes.read_link(token) is not None
        return render_template("privacy/email_confirm.html", form=form, valid=valid)
    try:
        req = verify.verify_email_request(db.session, token)
    except verify.VerifyError as exc:
        return _problem("Link not valid", str(exc), 400)
    session[VERIFIED] = {"id": req.id, "until": time.time() + VERIFIED_TTL}
    return redirect(url_for("privacy.verified"), 303)


def _verified_request() -> DeletionRequest | None:
    mark = session.get(VERIFIED)
    if not mark or mark.get("until", 0) < time.time():
        return None
    return db.session.get(DeletionRequest, mark.get("id"))


@bp.get("/data-deletion/verified")
@limiter.limit("60 per minute")
def verified():
    req = _verified_request()
    if req is None:
        return _problem(
            "Verification needed",
            "Your verification has ended. Follow your request with its confirmation code.",
            403,
        )
    return render_template(
        "privacy/verified.html",
        req=req,
        status_url=_status_url(req),
        auto=current_app.config["DELETION_AUTO_EXECUTE"],
        window=current_app.config["DELETION_EXPORT_WINDOW_HOURS"],
        form=ConfirmForm(),
    )


@bp.get("/data-deletion/export")
@limiter.limit("10 per minute")
def export_data():
    req = _verified_request()
    if req is None or req.status not in (RequestStatus.VERIFIED, RequestStatus.RECEIVED):
        return _problem(
            "Download not available",
            "A copy can be downloaded right after verification, before deletion starts.",
            403,
        )
    data = export.build(db.session, req)
    record(
        Action.DELETION_EXPORTED,
        actor=Actor.public(),
        summary=f"deletion request #{req.id}: requester downloaded their data",
        payload={"request_id": req.id},
        account_id=req.account_id,
    )
    body = json.dumps(data, indent=2, ensure_ascii=False)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = "attachment; filename=my-data.json"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/data-deletion/confirm")
@limiter.limit(_form_limit)
def confirm():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    req = _verified_request()
    if req is None:
        return _problem("Verification needed", "Your verification has ended.", 403)
    if current_app.config["DELETION_AUTO_EXECUTE"] and req.status == RequestStatus.VERIFIED:
        services.start(db.session, req, Actor.public())
    session.pop(VERIFIED, None)
    return redirect(_status_url(req), 303)


def _status_url(req: DeletionRequest) -> str:
    """The requester's status page when this browser filed the request, else the lookup."""
    code = session.get(TRACK)
    if code and services.find_by_code(db.session, code) is req:
        return url_for("privacy.status", code=code)
    return url_for("privacy.status_lookup", started=1)


@bp.route("/data-deletion/status", methods=["GET", "POST"])
@limiter.limit(_status_limit)
def status_lookup():
    form = StatusForm()
    if form.validate_on_submit():
        return redirect(url_for("privacy.status", code=codes.normalise(form.code.data)), 303)
    started = request.args.get("started") == "1"
    return render_template("privacy/status_lookup.html", form=form, started=started)


@bp.get("/data-deletion/status/<code>")
@limiter.limit(_status_limit)
def status(code: str):
    req = services.find_by_code(db.session, code)
    if req is None:
        return _problem(
            "Request not found",
            "No request matches this confirmation code. Check it and try again.",
            404,
        )
    receipt = services.receipt(req) if req.status == RequestStatus.COMPLETED else {}
    from studio.privacy.execute import LABELS

    return render_template(
        "privacy/status.html", req=req, receipt=receipt, labels=LABELS, statuses=RequestStatus
    )


@bp.route("/revoke")
@limiter.limit("120 per minute")
def revoke():
    return render_template("privacy/revoke.html", form=ConfirmForm())


@bp.post("/revoke")
@limiter.limit(_form_limit)
def revoke_start():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return redirect(verify.start("revoke"), 303)


@bp.get("/revoke/done")
@limiter.limit("60 per minute")
def revoked():
    return render_template("privacy/revoked.html", outcome=verify.revoke_outcome())


def _problem(title: str, message: str, code: int):
    return render_template("privacy/problem.html", title=title, message=message), code
