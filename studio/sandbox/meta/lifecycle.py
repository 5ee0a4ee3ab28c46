"""Timed changes: container processing, video phases, pulls from video_url, failures."""

from __future__ import annotations

import time

import requests

from studio.sandbox.meta.models import Container, Video
from studio.sandbox.meta.state import MetaState

BLOCK = 1024 * 1024


def container_received(state: MetaState, container: Container) -> None:
    """All bytes are in: FINISHED (or ERROR) after the processing delay."""
    state.schedule(state.config.processing_delay, _process, state, container.id)


def _process(state: MetaState, container_id: str) -> None:
    with state.lock:
        container = state.containers.get(container_id)
        if container is None or container.status_code != "IN_PROGRESS":
            return
        subcode = state.config.container_error
        if subcode is not None:
            container.status_code, container.error_subcode = "ERROR", subcode
        else:
            container.status_code = "FINISHED"


def fail_container(state: MetaState, container_id: str, subcode: int) -> bool:
    """Force ERROR with `subcode` (status reads "Media upload has failed with error code …")."""
    with state.lock:
        container = state.containers.get(container_id)
        if container is None or container.status_code == "PUBLISHED":
            return False
        container.status_code, container.error_subcode = "ERROR", subcode
        return True


def expire_container(state: MetaState, container_id: str) -> bool:
    """Make the container older than its TTL (it reads EXPIRED unless PUBLISHED)."""
    with state.lock:
        container = state.containers.get(container_id)
        if container is None:
            return False
        container.created_at -= state.config.container_ttl
        return True


def pull(state: MetaState, container_id: str, url: str) -> None:
    """Download video_url like Meta's cURL: counted and hashed, never stored."""
    with state.lock:
        container = state.containers[container_id]
    transfer = container.transfer
    deadline = time.monotonic() + state.config.pull_timeout
    try:
        with requests.Session() as session:
            session.trust_env = False
            with session.get(url, stream=True, timeout=5) as response:
                if response.status_code != 200:
                    fail_container(state, container_id, 2207052)
                    return
                for block in response.iter_content(BLOCK):
                    with state.lock:
                        transfer.hasher.update(block)
                        transfer.offset += len(block)
                    if time.monotonic() > deadline:
                        fail_container(state, container_id, 2207003)
                        return
    except requests.Timeout:
        fail_container(state, container_id, 2207003)
        return
    except requests.RequestException:
        fail_container(state, container_id, 2207052)
        return
    with state.lock:
        transfer.file_size = transfer.offset
        state.counters["pulls_completed"] += 1
    container_received(state, container)


def video_finished(state: MetaState, video: Video) -> None:
    """upload_phase=finish accepted: processing, then (PUBLISHED) publishing, step by step."""
    with state.lock:
        video.processing = "in_progress"
    state.schedule(state.config.processing_delay, _video_step, state, video.id)


def _video_step(state: MetaState, video_id: str) -> None:
    with state.lock:
        video = state.videos.get(video_id)
        if video is None or video.error is not None:
            return
        if video.processing == "in_progress":
            video.processing = "complete"
            if video.video_state == "PUBLISHED":
                video.publishing = "in_progress"
                again = True
            else:
                again = False
        elif video.publishing == "in_progress":
            video.publishing = "complete"
            video.published_at = time.time()
            again = False
        else:
            return
    if again:
        state.schedule(state.config.processing_delay, _video_step, state, video_id)


def fail_video(state: MetaState, video_id: str, message: str) -> bool:
    """Processing fails (e.g. the Reels spec is broken): video_status `error`."""
    with state.lock:
        video = state.videos.get(video_id)
        if video is None or video.publishing == "complete":
            return False
        video.processing = "error"
        video.error = {"code": 1363008, "message": message}
        return True
