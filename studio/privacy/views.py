"""Public privacy pages at the URLs registered with TikTok: policy, deletion, revocation."""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from studio import db
from studio.audit import Action, Actor, record
from studio.auth.forms import ConfirmForm
from studio.extensions import limiter
from studio.privacy import bp, browser, codes, export, inventory, links, rights, services, verify
from studio.privacy import policy as policies
from studio.privacy.forms import (
    DeletionForm,
    NoticeEmailForm,
    ReverifyForm,
    StatusForm,
)
from studio.privacy.models import DeletionRequest, RequestStatus, RequestType
from studio.privacy.receipt import labels as receipt_labels
from studio.security import external_url


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
        return _request_form(form), status
    if form.website.data:
        # A bot filled the honeypot: the same page, with a code that names nothing; no row.
        return _received_page(codes.new_code(), form.kind.data, can_verify=False)
    req, code = _open_from_form(form)
    browser.hold(db.session, req, code)
    if req.kind == "email":
        links.send_email_link(db.session, req, form.email.data, code)
    return redirect(url_for("privacy.received"), 303)


def _request_form(form: DeletionForm):
    return render_template(
        "privacy/deletion.html", form=form, status=StatusForm(), sign_ins=verify.sign_ins()
    )


def _open_from_form(form: DeletionForm) -> tuple[DeletionRequest, str]:
    field = form.email.data if form.kind.data == "email" else form.name.data
    key = "email" if form.kind.data == "email" else "name"
    request_type = RequestType(form.request_type.data)
    subject = {key: field}
    if request_type == RequestType.CORRECTION:
        subject["correction"] = form.correction.data
    return services.open_request(
        db.session,
        kind=form.kind.data,
        source="form",
        subject=subject,
        identifier=field,
        actor=Actor.public(),
        request_type=request_type,
    )


@bp.get("/data-deletion/received")
@limiter.limit("60 per minute")
def received():
    row = browser.latest_filed(db.session)
    req = db.session.get(DeletionRequest, row.request_id) if row is not None else None
    code = browser.code(row)
    if req is None or code is None:
        return redirect(url_for("privacy.deletion"))
    return _received_page(code, req.kind, can_verify=req.status == RequestStatus.RECEIVED)


def _received_page(code: str, kind: str, can_verify: bool):
    return render_template(
        "privacy/received.html",
        code=code,
        grouped=codes.grouped(code),
        kind=kind,
        sign_in=verify.sign_ins().get(kind),
        status_url=external_url("privacy.status", code=code),
        can_verify=can_verify,
        form=ConfirmForm(),
    )


def _verified_request() -> DeletionRequest | None:
    return browser.verified_request(db.session)


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
        sign_in=verify.sign_ins().get(req.kind),
        status_url=_status_url(req),
        notice=NoticeEmailForm(),
    )


@bp.get("/data-deletion/export")
@limiter.limit("10 per minute")
def export_data():
    req = _verified_request()
    if req is None or req.status != RequestStatus.VERIFIED:
        return _problem(
            "Download not available",
            "A copy can be downloaded right after verification, before deletion starts.",
            403,
        )
    data = export.build(db.session, req)
    record(
        Action.DELETION_EXPORTED,
        actor=Actor.public(),
        summary=f"{req.request_type} request #{req.id}: requester downloaded their data",
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
    follow = _status_url(req)  # before the erasure, which ends this browser's hold
    browser.end_verified(db.session, req)
    if req.request_type == RequestType.COPY and req.status == RequestStatus.VERIFIED:
        rights.resolve(db.session, req, Actor.public(), rights.COPY_SERVED)
    elif req.request_type != RequestType.ERASURE:
        pass  # a correction waits for staff
    elif current_app.config["DELETION_AUTO_EXECUTE"] and req.status == RequestStatus.VERIFIED:
        services.start(db.session, req, Actor.public())
    return redirect(follow, 303)


def _status_url(req: DeletionRequest) -> str:
    """The requester's status page when this browser knows the code, else the lookup."""
    code = browser.code(browser.held(db.session, req.id))
    if code:
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


@bp.get("/data-deletion/status/<bearer:code>")
@limiter.limit(_status_limit)
def status(code: str):
    req = services.find_by_code(db.session, code)
    if req is None:
        return _not_found()
    return _status_page(req, ReverifyForm())


def _not_found():
    return _problem(
        "Request not found",
        "No request matches this confirmation code. Check it and try again.",
        404,
    )


def _status_page(req: DeletionRequest, form: ReverifyForm, status: int = 200):
    receipt = services.receipt(req) if req.status == RequestStatus.COMPLETED else {}
    verified_here = _verified_request() is req and req.status == RequestStatus.VERIFIED
    page = render_template(
        "privacy/status.html",
        req=req,
        receipt=receipt,
        labels=receipt_labels(),
        statuses=RequestStatus,
        sign_in=verify.sign_ins().get(req.kind),
        held=browser.held(db.session, req.id) is not None,
        verified_here=verified_here,
        reverify=form,
        form=ConfirmForm(),
        notice=NoticeEmailForm(),
    )
    return page, status


@bp.post("/data-deletion/status/<bearer:code>")
@limiter.limit(_form_limit)
def status_verify(code: str):
    """Offer verification again: by signing in at the platform, or a new e-mailed link."""
    req = services.find_by_code(db.session, code)
    if req is None:
        return _not_found()
    form = ReverifyForm()
    if not form.validate_on_submit():
        return _status_page(req, form, 400)
    if req.status != RequestStatus.RECEIVED or req.kind not in (*verify.sign_ins(), "email"):
        return redirect(url_for("privacy.status", code=code), 303)
    if browser.held(db.session, req.id) is None and not verify.named_again(req, form.name.data):
        form.name.errors = ["That is not the name given in this request. Check it and try again."]
        return _status_page(req, form, 400)
    browser.hold(db.session, req, codes.normalise(code))
    if req.kind != "email":
        return redirect(verify.start(verify.purpose_of(req), req.id, req.kind), 303)
    email = services.subject(req).get("email", "")
    links.send_email_link(db.session, req, email, codes.normalise(code))
    flash("We sent a new confirmation link. It works once.", "success")
    return redirect(url_for("privacy.status", code=code), 303)


def _problem(title: str, message: str, code: int):
    return render_template("privacy/problem.html", title=title, message=message), code
