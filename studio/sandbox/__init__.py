"""A faithful local TikTok (Login Kit, Content Posting, webhooks) and YouTube as a Flask app."""

from __future__ import annotations

from typing import Any

from flask import Flask

from studio.sandbox.config import SandboxConfig
from studio.sandbox.state import SandboxState

__all__ = ["SandboxConfig", "SandboxState", "create_sandbox"]


def create_sandbox(
    config: dict[str, Any] | SandboxConfig | None = None,
    youtube: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> Flask:
    """Build the sandbox app; its states are `app.extensions["tiktok_sandbox"]`,
    `["youtube_sandbox"]` (Google/YouTube under /google, configured by `youtube`: see
    YouTubeConfig) and `["meta_sandbox"]` (Meta under /meta, configured by `meta`)."""
    from studio.sandbox import api, control, oauth, posting, status, upload, videos
    from studio.sandbox import meta as meta_sandbox
    from studio.sandbox import youtube as youtube_sandbox
    from studio.sandbox.errors import register_error_handlers
    from studio.sandbox.faults import register_faults

    app = Flask(__name__, template_folder="templates")
    app.extensions["tiktok_sandbox"] = SandboxState(SandboxConfig.of(config))
    for blueprint in (oauth.bp, api.bp, posting.bp, upload.bp, status.bp, videos.bp, control.bp):
        app.register_blueprint(blueprint)
    youtube_sandbox.register(app, youtube)
    register_error_handlers(app)
    register_faults(app)
    meta_sandbox.register(app, meta)
    return app
