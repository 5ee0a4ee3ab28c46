"""Staff: admin management of staff accounts, and each person's own profile."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Flask

from studio.config import ConfigError

bp = Blueprint("staff", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    """Check the operator's time zone, register the pages and the ``local`` time filter."""
    name = str(app.config.get("OPERATOR_TIME_ZONE") or "")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"STUDIO_OPERATOR_TIME_ZONE={name!r} is not a known time zone") from exc
    app.jinja_env.filters["local"] = zones.format_local
    app.register_blueprint(bp)


from studio.staff import profile, views, zones  # noqa: E402,F401
