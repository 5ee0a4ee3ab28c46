"""Public pages beyond the deletion flow: the contact form for privacy questions."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from studio import db
from studio.extensions import limiter
from studio.privacy import bp, contact
from studio.privacy.forms import ContactForm


def _form_limit() -> str:
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
@limiter.limit("120 per minute", methods=["GET"])
def contact_form():
    form = ContactForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("privacy/contact.html", form=form), status
    if not form.website.data:  # a filled honeypot is a bot: same answer, nothing stored
        contact.receive(db.session, form.name.data, form.email.data, form.message.data)
    return redirect(url_for("privacy.contact_sent"), 303)


@bp.get("/contact/sent")
@limiter.limit("120 per minute")
def contact_sent():
    return render_template("privacy/contact_sent.html")
