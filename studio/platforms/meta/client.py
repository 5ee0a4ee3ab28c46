"""The one place that speaks HTTP to Meta: Facebook Login, Graph, IG and Page Reels, rupload.

No Flask here: configuration is passed in, and every exchange is reported to `hook` (the audit
recorder) before the call returns or raises. The plumbing (header-only tokens,
appsecret_proof, errors typed, rupload streamed from disk) is in graph.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from studio.platforms.meta import rules
from studio.platforms.meta.errors import TokenInvalid
from studio.platforms.meta.graph import GraphClient
from studio.platforms.meta.results import (
    ContainerStatus,
    InstagramAccount,
    Page,
    PageReelStatus,
    PageReelUpload,
    Person,
    PublishingLimit,
    ReelContainer,
    UserToken,
    picture_url,
)
from studio.transport import InvalidResponse

__all__ = ["MetaClient", "Page", "UserToken"]

IG_FIELDS = "id,username,name,profile_picture_url"
PAGE_FIELDS = f"id,name,picture,access_token,tasks,instagram_business_account{{{IG_FIELDS}}}"
MAX_PAGES = 50  # /me/accounts pages followed (25 Pages each by default)


class MetaClient(GraphClient):
    """Typed calls to Meta's Graph API and rupload over one audited Transport.

    `MetaClient(app_id, app_secret, graph_version, auth_url, graph_base, upload_base, timeout,
    hook, *, session=None)`; `auth_url` may hold `{version}`.
    """

    # Facebook Login for Business and tokens

    def authorize_url(
        self, redirect_uri: str, scopes: list[str], state: str, *, config_id: str | None = None
    ) -> str:
        """The login dialog URL: `config_id` (Login for Business) or comma-separated scopes."""
        params = {
            "client_id": self.app_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
        }
        if config_id:
            params["config_id"] = config_id
        else:
            params["scope"] = ",".join(scopes)
        sep = "&" if "?" in self.auth_url else "?"
        return f"{self.auth_url}{sep}{urlencode(params)}"

    def exchange_code(self, code: str, redirect_uri: str) -> UserToken:
        """Trade the dialog's code for a short-lived user token (POST form, never a URL)."""
        return self._oauth({"code": code, "redirect_uri": redirect_uri})

    def long_lived(self, user_token: str) -> UserToken:
        """A long-lived (about 60 days) user token for a still-valid user token."""
        return self._oauth({"grant_type": "fb_exchange_token", "fb_exchange_token": user_token})

    def me(self, user_token: str) -> Person:
        """The person who logged in."""

        def parse(body: dict[str, Any]) -> Person:
            return Person(str(body["id"]), str(body.get("name") or ""), picture_url(body))

        return self._graph("GET", "me", user_token, parse, {"fields": "id,name,picture"})

    def permissions(self, user_token: str) -> list[str]:
        """The permissions granted (`GET /me/permissions`): people may untick some."""

        def parse(body: dict[str, Any]) -> list[str]:
            return [
                str(p["permission"])
                for p in body.get("data") or ()
                if isinstance(p, dict) and p.get("status") == "granted" and p.get("permission")
            ]

        return self._graph("GET", "me/permissions", user_token, parse)

    def pages(self, user_token: str) -> list[Page]:
        """The Pages the person manages with their Page tokens and linked IG accounts."""
        found: list[Page] = []
        params = {"fields": PAGE_FIELDS}
        for _ in range(MAX_PAGES):
            body = self._graph("GET", "me/accounts", user_token, dict, params)
            found += [Page.from_record(r) for r in body.get("data") or () if isinstance(r, dict)]
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:  # never follow `next`: it holds the token
                break
            params = {"fields": PAGE_FIELDS, "after": str(after)}
        return found

    def instagram_account(self, token: str, ig_id: str) -> InstagramAccount:
        """An IG professional account's id, username, name and picture (user token)."""
        parse = InstagramAccount.from_record
        return self._graph("GET", ig_id, token, parse, {"fields": IG_FIELDS})

    def revoke_permissions(self, user_token: str) -> bool:
        """`DELETE /me/permissions`: the app's grant ends; False if it had already ended."""
        try:
            body = self._graph("DELETE", "me/permissions", user_token, dict)
        except TokenInvalid:
            return False
        return body.get("success") is True

    # Instagram Reels

    def create_reel_container(
        self,
        token: str,
        ig_user_id: str,
        caption: str,
        share_to_feed: bool,
        ai_generated: bool,
        *,
        video_url: str | None = None,
    ) -> ReelContainer:
        """A REELS container: resumable (upload to its `upload_uri`) unless `video_url` is given."""
        rules.check(rules.caption_problems(caption, "instagram"))
        form = {
            "media_type": "REELS",
            "caption": caption,
            "share_to_feed": _flag(share_to_feed),
            "is_ai_generated": _flag(ai_generated),
        }
        if video_url is None:
            form["upload_type"] = "resumable"
        else:
            form["video_url"] = video_url

        def parse(body: dict[str, Any]) -> ReelContainer:
            uri = body.get("uri")
            if video_url is None and not isinstance(uri, str):
                raise InvalidResponse("no rupload uri for a resumable container", 200)
            return ReelContainer(str(body["id"]), self._upload_uri(uri) if uri else None)

        return self._graph("POST", f"{ig_user_id}/media", token, parse, form=form)

    def container_status(self, token: str, container_id: str) -> ContainerStatus:
        """IN_PROGRESS, FINISHED, ERROR (with its subcode), EXPIRED or PUBLISHED."""

        def parse(body: dict[str, Any]) -> ContainerStatus:
            return ContainerStatus.from_body(container_id, body)

        return self._graph("GET", container_id, token, parse, {"fields": "status_code,status"})

    def publish_container(self, token: str, ig_user_id: str, container_id: str) -> str:
        """Publish a FINISHED container; the IG media id. Check the status before any retry."""
        form = {"creation_id": container_id}
        return self._graph("POST", f"{ig_user_id}/media_publish", token, _id, form=form)

    def publishing_limit(self, token: str, ig_user_id: str) -> PublishingLimit:
        """Reels published in the rolling window and the account's quota (never hard-coded)."""

        def parse(body: dict[str, Any]) -> PublishingLimit:
            entry = body["data"][0]
            config = entry.get("config") or {}
            used, quota = int(entry["quota_usage"]), int(config["quota_total"])
            return PublishingLimit(used, quota, int(config.get("quota_duration") or 86400))

        params = {"fields": "quota_usage,config"}
        return self._graph("GET", f"{ig_user_id}/content_publishing_limit", token, parse, params)

    # Facebook Page Reels

    def start_page_reel(self, page_token: str, page_id: str) -> PageReelUpload:
        """`video_reels` upload_phase=start: the video id and its rupload URL."""

        def parse(body: dict[str, Any]) -> PageReelUpload:
            return PageReelUpload(str(body["video_id"]), self._upload_uri(body["upload_url"]))

        form = {"upload_phase": "start"}
        return self._graph("POST", f"{page_id}/video_reels", page_token, parse, form=form)

    def finish_page_reel(
        self, page_token: str, page_id: str, video_id: str, description: str
    ) -> bool:
        """`video_reels` upload_phase=finish with video_state=PUBLISHED and the description."""
        form = {
            "upload_phase": "finish",
            "video_id": video_id,
            "video_state": "PUBLISHED",
            "description": description,
        }
        body = self._graph("POST", f"{page_id}/video_reels", page_token, dict, form=form)
        return body.get("success") is True

    def page_reel_status(self, page_token: str, video_id: str) -> PageReelStatus:
        """The video's uploading, processing and publishing phases."""

        def parse(body: dict[str, Any]) -> PageReelStatus:
            return PageReelStatus.from_body(video_id, body)

        return self._graph("GET", video_id, page_token, parse, {"fields": "status"})

    # Insights: the company's own accounts and videos only

    def node_counts(self, token: str, node_id: str, names: list[str]) -> dict[str, Any]:
        """A Page's or IG account's count fields (`followers_count`, `media_count`)."""
        return self._graph("GET", node_id, token, dict, {"fields": ",".join(["id", *names])})

    def recent_videos(
        self, token: str, node_id: str, edge: str, fields: str, limit: int
    ) -> list[dict[str, Any]]:
        """The newest records of an IG account's `media` or a Page's `video_reels` (one page)."""
        params = {"fields": fields, "limit": str(limit)}
        body = self._graph("GET", f"{node_id}/{edge}", token, dict, params)
        return [r for r in body.get("data") or () if isinstance(r, dict) and r.get("id")]

    def insights(self, token: str, path: str, metrics: list[str]) -> dict[str, Any]:
        """Lifetime values by metric name (`{media}/insights`, `{video}/video_insights`); a
        metric missing from the answer (Meta's lag: `data` is empty) is not available yet."""

        def parse(body: dict[str, Any]) -> dict[str, Any]:
            found: dict[str, Any] = {}
            for entry in body.get("data") or ():
                if not isinstance(entry, dict) or not entry.get("name"):
                    continue
                values = entry.get("values") or [{}]
                total = entry.get("total_value") or values[-1]
                if isinstance(total, dict) and "value" in total:
                    found[str(entry["name"])] = total["value"]
            return found

        return self._graph("GET", path, token, parse, {"metric": ",".join(metrics)})


def _flag(value: bool) -> str:
    """Graph's strict booleans."""
    return "true" if value else "false"


def _id(body: dict[str, Any]) -> str:
    return str(body["id"])
