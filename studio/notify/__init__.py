"""Notify: e-mail the author and approvers when a delivery lands, fails or needs a person."""

from flask import Flask

DEFAULTS: dict[str, object] = {
    "NOTIFY_LOOKBACK_HOURS": 24,  # finished deliveries older than this are not e-mailed about
    "NOTIFY_RETRY_PAUSE": 300,  # seconds without e-mails about deliveries after a mail failure
}


def init_app(app: Flask) -> None:
    """Room defaults (instance config and STUDIO_* still win)."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)


from studio.notify import reconnect, services, tasks  # noqa: E402,F401
