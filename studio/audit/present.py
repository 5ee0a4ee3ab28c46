"""How an entry's redacted payload is shown: request and response, pretty-printed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from studio import db
from studio.audit.models import AuditEntry
from studio.auth.models import User


@dataclass
class Part:
    """A request or response: a title line, headers and a pretty body."""

    title: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str | None = None
    note: str | None = None


@dataclass
class Shown:
    """Everything the detail page and the timeline show of a payload."""

    erased: bool
    request: Part | None = None
    response: Part | None = None
    other: str | None = None


def pretty(value: Any) -> str:
    """JSON with indentation; a form body becomes its fields; other text stays as it is."""
    if isinstance(value, str):
        pairs = parse_qsl(value, keep_blank_values=True, strict_parsing=False)
        if pairs and "=" in value and " " not in value.strip():
            return json.dumps(dict(pairs), indent=2, ensure_ascii=False)
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


def show(entry: AuditEntry) -> Shown:
    """The entry's payload arranged for people."""
    if entry.payload is None:
        return Shown(erased=True)
    data = json.loads(entry.payload)
    if not isinstance(data, dict) or "request" not in data:
        return Shown(erased=False, other=pretty(data) if data else None)
    return Shown(erased=False, request=_request(entry, data), response=_response(data))


def _request(entry: AuditEntry, data: dict[str, Any]) -> Part:
    req = data.get("request") or {}
    part = Part(f"{entry.method or ''} {req.get('url', entry.endpoint or '')}".strip())
    part.headers = [(str(k), str(v)) for k, v in (req.get("headers") or {}).items()]
    if "body" in req and req["body"] is not None:
        part.body = pretty(req["body"])
    if data.get("kind") == "upload":
        part.note = f"{req.get('body_size') or 0} bytes of video sent; the bytes are not kept."
    return part


def _response(data: dict[str, Any]) -> Part | None:
    resp = data.get("response")
    if resp is None:
        error = data.get("error") or "no response"
        return Part("No response", note=f"The request failed: {error}.")
    part = Part(f"HTTP {resp.get('status')}")
    part.headers = [(str(k), str(v)) for k, v in (resp.get("headers") or {}).items()]
    if resp.get("body") not in (None, ""):
        part.body = pretty(resp["body"])
    return part


# What each TikTok call means, for the post's activity log (the raw line stays in "details").
PLAIN_CALLS = {
    "/v2/oauth/token/": "Renewed the connection to TikTok",
    "/v2/oauth/revoke/": "Asked TikTok to end the app's access",
    "/v2/user/info/": "Read the account's TikTok profile",
    "/v2/post/publish/creator_info/query/": "Checked what the account may post",
    "/v2/post/publish/inbox/video/init/": "Asked TikTok to start a draft upload",
    "/v2/post/publish/video/init/": "Asked TikTok to start a direct post",
    "/v2/post/publish/status/fetch/": "Asked TikTok how the video is doing",
    "/v2/post/publish/cancel/": "Asked TikTok to cancel the upload",
}
# YouTube's calls (the platform column says whose API it was); PUTs go to the upload session.
YOUTUBE_CALLS = {
    "/upload/youtube/v3/videos": "Asked YouTube to start an upload",
    "/youtube/v3/videos": "Asked YouTube how the video is doing",
    "/youtube/v3/channels": "Read the channel's YouTube profile",
    "/token": "Renewed the connection to Google",
    "/revoke": "Asked Google to end the app's access",
}
# Meta's Graph calls, most specific first ("/media_publish" before "/media").
META_CALLS = {
    "/media_publish": "Asked Instagram to publish the Reel",
    "/content_publishing_limit": "Read Instagram's publishing limit",
    "/media": "Asked Instagram to make a Reels container",
    "/video_reels": "Asked Facebook to start or finish a Page Reel",
    "/oauth/access_token": "Renewed the connection to Meta",
    "/me/permissions": "Asked Meta about the app's permissions",
    "/me/accounts": "Read the Pages the login manages",
}
_POST_PREFIX = re.compile(r"^post \d+: ")
_TECHNICAL_TAIL = re.compile(r" \((?:v_|p_|publish_id )[^)]*\)$")


def plain(entry: AuditEntry) -> str:
    """One line in people's words: platform calls by their purpose, without ids or HTTP lines."""
    endpoint = entry.endpoint or ""
    if entry.method and entry.platform == "youtube":
        if entry.method == "PUT":
            return "Sent part of the video to YouTube"
        return next((w for path, w in YOUTUBE_CALLS.items() if path in endpoint), "Called YouTube")
    if entry.method and entry.platform == "meta":
        if (entry.summary or "").startswith("chunk:"):  # rupload: the bytes, or where they stand
            return (
                "Sent the video to Meta"
                if entry.method == "POST"
                else "Asked Meta how much arrived"
            )
        words = next((w for path, w in META_CALLS.items() if path in endpoint), None)
        return words or (
            "Asked Meta how the video is doing" if entry.method == "GET" else "Called Meta"
        )
    if entry.method:
        if (entry.summary or "").startswith("chunk:"):
            return "Sent part of the video to TikTok"
        for path, words in PLAIN_CALLS.items():
            if path in endpoint:
                return words
        return "Called TikTok"
    text = _TECHNICAL_TAIL.sub("", _POST_PREFIX.sub("", entry.summary or entry.kind))
    return text[:1].upper() + text[1:]


def actor_name(entry: AuditEntry) -> str:
    """Who caused ``entry``, in people's words: a staff member's current address (entries keep
    only the staff number), "deleted staff #N" after deletion, "Someone on the public site"."""
    name = entry.actor_label or entry.actor_id or ""
    if entry.actor_kind == "user":
        if entry.actor_id and entry.actor_id.isdigit():
            user = db.session.get(User, int(entry.actor_id))
            if user is not None:
                return f"deleted staff #{user.id}" if user.deleted_at else user.email
        return name or "a former staff member"
    if entry.actor_kind == "public":
        return "Someone on the public site"
    if entry.actor_kind == "webhook":
        return f"A notification from {'TikTok' if name in ('', 'tiktok') else name.title()}"
    if entry.actor_kind == "job":
        return f"The background worker ({name})" if name else "The background worker"
    if entry.actor_kind == "system":
        return "A command on the server" + (f" ({name})" if name and name != "cli" else "")
    return name or entry.actor_kind
