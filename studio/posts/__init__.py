"""Posts: prepare, preview, consent, send to TikTok in the background, and follow progress."""

from flask import Blueprint, Flask

bp = Blueprint("posts", __name__, url_prefix="/posts")
media_bp = Blueprint("media", __name__, url_prefix="/media")

DEFAULTS: dict[str, object] = {
    "POSTS_LEASE_SECONDS": 120,  # a worker renews every third of this; a dead one frees it
    "POSTS_INLINE_WAIT_MAX": 20.0,  # longer waits free the worker and are scheduled instead
    "POSTS_RETRY_BASE": 2.0,  # backoff: full jitter over base * 2**attempt, capped
    "POSTS_RETRY_CAP": 300.0,
    "POSTS_MAX_ATTEMPTS": 8,
    "POSTS_MAX_RESTARTS": 3,  # fresh inits after an expired or lost upload_url
    "POSTS_POLL_BASE": 2.0,  # status polling backoff
    "POSTS_POLL_CAP": 60.0,
    "POSTS_POLL_DEADLINE": 6 * 3600,
    "POSTS_HOLD_RECHECK": 900,  # held by the draft limit: look again after this long
    "POSTS_PENDING_DRAFT_LIMIT": 5,  # TikTok: 5 pending inbox shares per 24 h
    "POSTS_DIRECT_DAILY_LIMIT": 15,  # TikTok: about 15 Direct Posts per creator per 24 h
    "POSTS_INIT_PER_MINUTE": 6,  # TikTok: init 6/min, status/fetch 30/min per token
    "POSTS_STATUS_PER_MINUTE": 30,
    "POSTS_RATE_WINDOW": 60.0,  # the seconds those limits count over (tests shrink it)
    "POSTS_UPLOAD_URL_TTL": 3600,  # TikTok: upload_url valid for 1 h
    "POSTS_UPLOAD_URL_MARGIN": 60,
    "POSTS_MEDIA_URL_TTL": 3600 + 600,  # TikTok's pull may run 1 h after init, plus a margin
}


def init_app(app: Flask) -> None:
    """Room defaults (instance config and STUDIO_* still win), the media route and the panel."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.jinja_env.globals["schedule_info"] = schedule.template_info
    app.jinja_env.globals["post_plan"] = queue.post_plan
    app.register_blueprint(bp)
    app.register_blueprint(media_bp)


from studio.posts import post_views, preset_views, queue, schedule, tasks, views  # noqa: E402,F401
