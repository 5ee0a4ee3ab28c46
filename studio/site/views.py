"""Public home page, terms of service and a health check."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import text

from studio import db
from studio.extensions import limiter
from studio.site import bp


@bp.route("/")
@limiter.limit("120 per minute")
def home():
    return render_template("site/home.html")


@bp.route("/terms")
@limiter.limit("120 per minute")
def terms():
    return render_template("site/terms.html", extra=current_app.config["OPERATOR_TERMS"])


@bp.route("/healthz")
@limiter.exempt
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
