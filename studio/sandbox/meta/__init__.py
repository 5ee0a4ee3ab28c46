"""A strict local Meta (Facebook Login for Business, Graph, rupload, signed callbacks)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from studio.sandbox.meta.config import MetaConfig
from studio.sandbox.meta.state import MetaState

__all__ = ["MetaConfig", "MetaState", "register"]


def register(app: Flask, config: dict[str, Any] | MetaConfig | None = None) -> MetaState:
    """Mount the Meta sandbox under /meta (and /_sandbox/meta); its state is in extensions."""
    from studio.sandbox.meta import (
        control,
        dialog,
        graph,
        hooks,
        insights,
        instagram,
        nodes,
        reels,
        rupload,
    )

    state = MetaState(MetaConfig.of(config))
    app.extensions["meta_sandbox"] = state
    for bp in (
        dialog.bp,
        graph.pictures,
        instagram.bp,
        insights.bp,
        reels.bp,
        nodes.bp,
        graph.bp,
        rupload.bp,
        control.bp,
    ):
        app.register_blueprint(bp)
    hooks.register(app)
    return state
