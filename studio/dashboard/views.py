"""Dashboard home: where things stand and where to go next."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from studio import db
from studio.audit.panels import audit_panel
from studio.dashboard import bp
from studio.panels import Panel
from studio.platforms.meta.panels import meta_panel
from studio.platforms.tiktok.panels import tiktok_panel
from studio.platforms.youtube.panels import youtube_panel
from studio.posts.panels import posts_panel
from studio.privacy import erasures
from studio.privacy.panels import privacy_panel
from studio.videos.panels import library_panel

# Every room's card, in the order rooms are wired; each returns None when it has nothing to say.
PANELS = (
    tiktok_panel,
    youtube_panel,
    meta_panel,
    library_panel,
    posts_panel,
    audit_panel,
    privacy_panel,
)


def collect_panels() -> list[Panel]:
    """The rooms' panels, sorted by their order."""
    panels = [p for p in (fn() for fn in PANELS) if p is not None]
    return sorted(panels, key=lambda p: p.order)


@bp.route("/")
@login_required
def index():
    notices = erasures.recent(db.session)
    return render_template("dashboard/index.html", panels=collect_panels(), notices=notices)
