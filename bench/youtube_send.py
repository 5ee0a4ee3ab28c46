"""The YouTube side of bench/send_stage.py: a channel on the sandbox's Google, posts to it.

The job's resumable upload runs in the real worker; the baseline PUTs the same pieces with
curl to a fresh session of the same sandbox (bench/youtube_upload.py cuts and sends them).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from pathlib import Path
from typing import Any

import requests

from bench.send_stage import Bench
from bench.youtube_upload import CLIENT_ID, REDIRECT, SECRET, curl_once, cut

SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload "
    "https://www.googleapis.com/auth/youtube.readonly"
)
# The same file goes up six times: no duplicate rejection, quota enough for every run.
YOUTUBE_SANDBOX = {
    "reject_duplicates": False,
    "upload_calls_per_day": 100_000,
    "processing_step_delay": 0.05,
}
OPTIONS = {
    "privacy_status": "private",
    "made_for_kids": False,
    "category_id": "22",
    "title": "Bench",
    "tags": [],
    "notify_subscribers": False,
    "paid_product_placement": False,
}


class YouTubeBench(Bench):
    """One instance, one YouTube channel, posts of one video."""

    finished = "published"

    def extra_config(self) -> dict[str, Any]:
        """The app's YouTube pointed at the sandbox's Google."""
        base = f"{self.sandbox_url}/google"
        return {
            "YOUTUBE_CLIENT_ID": CLIENT_ID,
            "YOUTUBE_CLIENT_SECRET": SECRET,
            "GOOGLE_AUTH_URL": f"{base}/o/oauth2/v2/auth",
            "GOOGLE_TOKEN_URL": f"{base}/token",
            "GOOGLE_REVOKE_URL": f"{base}/revoke",
            "YOUTUBE_API_BASE": base,
            "YOUTUBE_TIMEOUT": 120.0,
        }

    def _connect(self) -> int:
        """Consent at the sandbox (PKCE S256), then store the channel as the connect flow does."""
        from studio import db
        from studio.platforms.youtube import services
        from studio.platforms.youtube.connection import get_client

        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        body = {
            "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "scope": SCOPES, "state": "b",
            "access_type": "offline", "channel": "brand",
            "code_challenge": challenge.rstrip(b"=").decode(), "code_challenge_method": "S256",
        }  # fmt: skip
        with requests.Session() as http:
            http.trust_env = False
            answer = http.post(f"{self.sandbox_url}/_sandbox/youtube/authorize", json=body)
            code = answer.json()["code"]
        with self.app.app_context(), get_client() as client:
            tokens = client.exchange_code(code, REDIRECT, verifier)
            channel = client.my_channel(tokens.access_token)
            return services._upsert(db.session, channel, tokens, None, []).id

    def new_delivery(self) -> int:
        """A consented post with one delivery to the channel (an app context is active)."""
        from studio import db
        from studio.platforms.models import Delivery, Mode
        from studio.posts.models import Post

        delivery = Delivery(account_id=self.account_id, platform="youtube", mode=Mode.DIRECT)
        delivery.options = dict(OPTIONS)
        post = Post(
            idempotency_key=uuid.uuid4().hex, video_id=self.video_id, caption="Bench",
            deliveries=[delivery],
        )  # fmt: skip
        db.session.add(post)
        db.session.commit()
        return delivery.id

    def cut_chunks(self) -> list[tuple[Path, str]]:
        """The job's pieces (YOUTUBE_CHUNK_SIZE) as files for curl, cut before timing."""
        return cut(self.path, self.tmp, int(self.app.config["YOUTUBE_CHUNK_SIZE"]))

    def curl_once(self, parts: list[tuple[Path, str]]) -> float:
        """Seconds for curl to PUT the same pieces to a fresh session (its opening not timed)."""
        from studio import db
        from studio.platforms.youtube import tokens
        from studio.platforms.youtube.connection import get_client
        from studio.platforms.youtube.rules import VideoMetadata

        size = self.path.stat().st_size
        meta = VideoMetadata("Bench", "", (), "22", "private", False, False, False, False)
        with self.app.app_context(), get_client() as client:
            uri = tokens.call_with_token(
                db.session,
                self.account_id,
                lambda t: client.start_upload(t, meta, size, "video/mp4"),
            )
        return curl_once(uri, parts)

    @staticmethod
    def completed(sandbox: Any, size: int) -> list[dict[str, Any]]:
        """Every video of `size` bytes the sandbox's YouTube holds (with its sha256)."""
        videos = sandbox.youtube.summary()["videos"].values()
        return [{"sha256": v["sha256"]} for v in videos if v["bytes"] == size]
