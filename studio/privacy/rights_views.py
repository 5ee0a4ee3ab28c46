"""Public pages of the other rights: a request form with the right chosen, notice address."""

from __future__ import annotations

from flask import flash, redirect, request

from studio import db
from studio.extensions import limiter
from studio.privacy import bp, browser, rights
from studio.privacy.forms import REQUEST_TYPES, DeletionForm, NoticeEmailForm
from studio.privacy.views import _form_limit, _problem, _request_form, _status_url


@bp.get("/data-requests/new")
@limiter.limit("120 per minute")
def new_request():
    """The same form, with the right chosen: ``?kind=copy``, ``correction`` or ``erasure``."""
    form = DeletionForm()
    if request.args.get("kind") in REQUEST_TYPES:
        form.request_type.data = request.args["kind"]
    return _request_form(form)


@bp.post("/data-deletion/notice-email")
@limiter.limit(_form_limit)
def notice_email():
    """The browser that verified a request leaves (or clears) an address for notices."""
    req = browser.verified_request(db.session)
    if req is None or not req.is_open:
        return _problem("Verification needed", "Your verification has ended.", 403)
    form = NoticeEmailForm()
    if not form.validate_on_submit():
        return _problem("Address not valid", "Enter a valid e-mail address, or none.", 400)
    rights.set_notice_email(db.session, req, form.email.data or None)
    flash(
        "We will write to this address about your request."
        if form.email.data
        else "We will not e-mail you about this request.",
        "success",
    )
    return redirect(_status_url(req), 303)
