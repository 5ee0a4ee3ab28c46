"""Dashboard home: where things stand and where to go next."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from studio import db
from studio.dashboard import bp
from studio.dashboard.panels import collect_panels


@bp.route("/")
@login_required
def index():
    from studio.privacy import erasures

    notices = erasures.recent(db.session)
    return render_template("dashboard/index.html", panels=collect_panels(), notices=notices)
