"""The video library: resumable upload, validation, which platforms can take it, playback."""

from flask import Blueprint, Flask

bp = Blueprint("videos", __name__, url_prefix="/videos")

# Keys this room reads; instance/config.py or STUDIO_* override them.
DEFAULTS = {
    # Browser PATCH size: parts start at UPLOAD_PART_BYTES and double while they go fast, up to
    # UPLOAD_MAX_PART_BYTES, never above 15/16 of MAX_CONTENT_LENGTH (64 MiB in production): a
    # fast client sends 60 MiB parts, so a part's fixed costs (fsync, offset commit) stay small.
    "UPLOAD_PART_BYTES": 8 * 1024**2,
    "UPLOAD_MAX_PART_BYTES": 64 * 1024**2,
    "UPLOAD_SESSION_HOURS": 24,  # an unfinished upload is removed this long after its last part
    "UPLOAD_MAX_OPEN_PER_USER": 5,  # unfinished uploads one person may hold (each reserves disk)
    # fsync each part before its offset is committed (an OS crash then loses nothing counted).
    # Off: parts stay in the page cache until the kernel writes them; only the finished file
    # is fsynced, and after a power cut an upload resumes from what the disk really kept.
    "UPLOAD_FSYNC": True,
}


def init_app(app: Flask) -> None:
    """Fill in this room's config defaults, register its pages and commands."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
    demo.init_app(app)


from studio.videos import api, demo, tasks, views  # noqa: E402,F401

bp.register_blueprint(api.bp)
