"""Data API plumbing (bearer, scope and rate-limit guard) plus user/info and creator_info."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from studio.sandbox import tokens
from studio.sandbox.catalog import account_figures
from studio.sandbox.creators import Creator, by_id
from studio.sandbox.errors import ApiError, api_response
from studio.sandbox.models import Grant
from studio.sandbox.state import SandboxState

bp = Blueprint("api", __name__)

USER_FIELDS = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}


def sandbox_state() -> SandboxState:
    """The state object of the running sandbox app."""
    return current_app.extensions["tiktok_sandbox"]


def base_url() -> str:
    """Public base URL of the sandbox, without a trailing slash."""
    return sandbox_state().config.public_base_url or request.host_url.rstrip("/")


def guard(scopes: tuple[str, ...], bucket: str, limit: int) -> Grant:
    """Authenticate, check that one of `scopes` was granted, then count the call."""
    state = sandbox_state()
    grant, access = tokens.authenticate(state, request.headers.get("Authorization"))
    if not any(scope in grant.scopes for scope in scopes):
        raise ApiError(
            "scope_not_authorized",
            f"The user did not authorize the scope required: {scopes[0]}.",
            401,
        )
    if state.hit_rate_limit(access.token, bucket, limit, g.get("sandbox_arrived")):
        raise ApiError("rate_limit_exceeded", "Too many requests, retry later.", 429)
    return grant


def creator_of(grant: Grant) -> Creator:
    """The fake creator behind a grant."""
    creator = by_id(grant.open_id)
    if creator is None:
        raise ApiError("internal_error", "Unknown creator.", 500)
    name = sandbox_state().config.display_names.get(creator.id)
    return creator if name is None else dataclasses.replace(creator, display_name=name)


def posts_today(state: SandboxState, open_id: str) -> int:
    """Direct posts initialised by this creator in the last 24 h."""
    since = time.time() - 86_400
    with state.lock:
        return sum(
            1
            for p in state.publishes.values()
            if p.open_id == open_id and p.publish_type == "DIRECT_PUBLISH" and p.created_at > since
        )


def daily_cap(state: SandboxState, creator: Creator) -> int:
    """The creator's Direct Post cap (config may override the profile)."""
    cap = state.config.daily_post_cap
    return creator.daily_post_cap if cap is None else min(cap, creator.daily_post_cap)


@bp.get("/v2/user/info/")
def user_info() -> Response:
    """Return only the requested fields, each checked against its scope."""
    state = sandbox_state()
    grant = guard(
        ("user.info.basic", "user.info.profile", "user.info.stats"),
        "user_info",
        state.config.rate_limit_user_info,
    )
    with state.lock:
        state.counters["user_info"] += 1
    fields = [f.strip() for f in request.args.get("fields", "").split(",") if f.strip()]
    if not fields or any(f not in USER_FIELDS for f in fields):
        raise ApiError("invalid_params", "fields is missing or contains an unknown field.", 400)
    missing = sorted({USER_FIELDS[f] for f in fields} - set(grant.scopes))
    if missing:
        raise ApiError(
            "scope_permission_missed",
            f"The fields require scopes not granted: {','.join(missing)}.",
            400,
        )
    profile = _user_profile(creator_of(grant))
    with state.lock:
        creator = creator_of(grant)
        profile.update(account_figures(state.figures, state.videos, state.started, creator))
    # A count TikTok has not got yet is left out rather than sent as 0.
    return api_response({"user": {f: profile[f] for f in fields if profile[f] is not None}})


def _user_profile(creator: Creator) -> dict[str, Any]:
    """Every user/info field for a creator."""
    avatar = f"{base_url()}/_sandbox/avatar/{creator.id}.svg"
    return {
        "open_id": creator.open_id,
        "union_id": creator.union_id,
        "avatar_url": avatar,
        "avatar_url_100": avatar,
        "avatar_large_url": avatar,
        "display_name": creator.display_name,
        "bio_description": creator.bio,
        "profile_deep_link": f"https://www.tiktok.com/@{creator.username}",
        "is_verified": creator.is_verified,
        "username": creator.username,
    }


@bp.post("/v2/post/publish/creator_info/query/")
def creator_info() -> Response:
    """Creator posting profile; spam/cap errors come back with HTTP 200 on purpose."""
    state = sandbox_state()
    grant = guard(("video.publish",), "creator_info", state.config.rate_limit_creator_info)
    creator = creator_of(grant)
    if creator.creator_info_error:
        return api_response(None, creator.creator_info_error, "The creator cannot post now.")
    if posts_today(state, creator.open_id) >= daily_cap(state, creator):
        return api_response(None, "spam_risk_too_many_posts", "The creator cannot post now.")
    return api_response(
        {
            "creator_avatar_url": f"{base_url()}/_sandbox/avatar/{creator.id}.svg",
            "creator_username": creator.username,
            "creator_nickname": creator.display_name,
            "privacy_level_options": creator.privacy_level_options,
            "comment_disabled": creator.comment_disabled,
            "duet_disabled": creator.is_duet_disabled,
            "stitch_disabled": creator.is_stitch_disabled,
            "max_video_post_duration_sec": creator.max_video_post_duration_sec,
        }
    )
