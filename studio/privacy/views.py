"""Public privacy pages at the URLs registered with TikTok."""

from __future__ import annotations

from flask import current_app, render_template

from studio.extensions import limiter
from studio.privacy import bp


@bp.route("/privacy")
@limiter.limit("120 per minute")
def policy():
    return render_template(
        "privacy/policy.html", extra=current_app.config["OPERATOR_PRIVACY_EXTRA"]
    )


@bp.route("/data-deletion")
@limiter.limit("120 per minute")
def deletion():
    return render_template("privacy/coming_soon.html", title="Request deletion of your data")


@bp.route("/revoke")
@limiter.limit("120 per minute")
def revoke():
    return render_template("privacy/coming_soon.html", title="Revoke this app's access to TikTok")
