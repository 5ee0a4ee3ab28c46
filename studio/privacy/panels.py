"""The dashboard panel: open deletion requests and their deadlines (admins only)."""

from __future__ import annotations

from flask_login import current_user

from studio import db
from studio.panels import Panel
from studio.privacy import services


def privacy_panel() -> Panel | None:
    """Open requests, with overdue and near-due ones called out."""
    if not current_user.is_authenticated or not current_user.is_admin:
        return None
    requests = services.open_requests(db.session)
    flags = [services.urgency(r) for r in requests]
    overdue, soon = flags.count("overdue"), flags.count("due-soon")
    if not requests:
        lines = ["No open deletion requests."]
    else:
        lines = [f"{len(requests)} open deletion request(s)."]
        if overdue:
            lines.append(f"{overdue} overdue: the one-month deadline has passed.")
        if soon:
            lines.append(f"{soon} due within a week.")
    tone = "bad" if overdue else "warn" if soon or requests else "good"
    return Panel("Deletion requests", lines, "privacy.requests", "Open queue", tone, order=60)
