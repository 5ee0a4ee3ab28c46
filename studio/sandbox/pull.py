"""PULL_FROM_URL: ownership check at init and a background download that never redirects."""

from __future__ import annotations

import hashlib
import threading
import time
from urllib.parse import urlsplit

import requests

from studio.sandbox import lifecycle
from studio.sandbox.chunks import MAX_VIDEO
from studio.sandbox.config import SandboxConfig
from studio.sandbox.errors import ApiError
from studio.sandbox.state import SandboxState

BLOCK = 1024 * 1024


def check_url(cfg: SandboxConfig, url: str) -> None:
    """https (or loopback http when allowed) under a verified domain or URL prefix."""
    parts = urlsplit(url)
    schemes = ("https", "http") if cfg.allow_http_pull else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise ApiError("invalid_param", "video_url must be an https URL.", 400)
    host = parts.hostname.lower()
    for entry in cfg.verified_url_prefixes:
        if "://" in entry:
            if url.startswith(entry):
                return
        elif host == entry.lower() or host.endswith("." + entry.lower()):
            return
    raise ApiError(
        "url_ownership_unverified",
        "The video_url is not under a verified domain or URL prefix.",
        403,
    )


def start(state: SandboxState, publish_id: str, url: str) -> None:
    """Download in a daemon thread, tracking downloaded_bytes."""
    threading.Thread(target=_download, args=(state, publish_id, url), daemon=True).start()


def _download(state: SandboxState, publish_id: str, url: str) -> None:
    """Fetch the video; any non-200 (3xx included), error or timeout is video_pull_failed."""
    deadline = time.monotonic() + state.config.pull_timeout
    hasher, total = hashlib.sha256(), 0
    try:
        with requests.Session() as session:
            session.trust_env = False
            with session.get(url, stream=True, allow_redirects=False, timeout=(5, 30)) as resp:
                if resp.status_code != 200:
                    raise OSError(f"HTTP {resp.status_code}")
                for block in resp.iter_content(BLOCK):
                    hasher.update(block)
                    total += len(block)
                    if not _progress(state, publish_id, total):
                        return
                    if total > MAX_VIDEO or time.monotonic() > deadline:
                        raise OSError("too large or too slow")
    except (OSError, requests.RequestException):
        lifecycle.fail(state, publish_id, "video_pull_failed")
        return
    with state.lock:
        publish = state.publishes.get(publish_id)
        if publish is None or publish.status != "PROCESSING_DOWNLOAD":
            return
        publish.video_size = total
        publish.sha256 = hasher.hexdigest()
        state.counters["pulls_completed"] += 1
    lifecycle.media_received(state, publish_id)


def _progress(state: SandboxState, publish_id: str, total: int) -> bool:
    """Record progress; False when the publish was cancelled or reset meanwhile."""
    with state.lock:
        publish = state.publishes.get(publish_id)
        if publish is None or publish.status != "PROCESSING_DOWNLOAD":
            return False
        publish.downloaded_bytes = total
        return True
