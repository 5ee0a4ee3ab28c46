"""A strict local Google OAuth and YouTube Data API (v3) inside the sandbox app."""

from __future__ import annotations

from typing import Any

from flask import Flask

from studio.sandbox.youtube.config import YouTubeConfig
from studio.sandbox.youtube.state import YouTubeState

__all__ = ["YouTubeConfig", "YouTubeState", "register"]


def register(app: Flask, config: dict[str, Any] | YouTubeConfig | None = None) -> YouTubeState:
    """Serve Google under `/google` and the controls under `/_sandbox/youtube`."""
    from studio.sandbox.youtube import control, web

    state = YouTubeState(YouTubeConfig.of(config))
    app.extensions["youtube_sandbox"] = state
    app.register_blueprint(web.google)
    app.register_blueprint(control.bp)
    return state
