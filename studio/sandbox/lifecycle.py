"""Publish status transitions after the bytes arrive, with the matching webhooks."""

from __future__ import annotations

import dataclasses
import time

from studio.sandbox.creators import by_id
from studio.sandbox.ids import post_id
from studio.sandbox.models import Publish, Video
from studio.sandbox.state import SandboxState

FINAL = frozenset({"PUBLISH_COMPLETE", "FAILED"})


def media_received(state: SandboxState, publish_id: str) -> None:
    """Bytes are complete: process for `status_step_delay` seconds, then move on."""
    state.schedule(state.config.status_step_delay, _processed, state, publish_id)


def _processed(state: SandboxState, publish_id: str) -> None:
    """Processing done: fail, deliver to the inbox, or publish."""
    with state.lock:
        publish = state.publishes.get(publish_id)
        if publish is None or publish.status in FINAL:
            return
        reason = _fail_reason(state, publish)
    if reason:
        fail(state, publish_id, reason)
    elif publish.publish_type == "INBOX_SHARE":
        _deliver_to_inbox(state, publish)
    else:
        complete(state, publish_id)


def _fail_reason(state: SandboxState, publish: Publish) -> str | None:
    """Config, hook, then creator profile may decide that processing fails."""
    cfg = state.config
    if cfg.fail_reason:
        return cfg.fail_reason
    if cfg.fail_hook is not None:
        reason = cfg.fail_hook(dataclasses.asdict(publish))
        if reason:
            return reason
    creator = by_id(publish.open_id)
    return creator.fail_reason if creator else None


def _deliver_to_inbox(state: SandboxState, publish: Publish) -> None:
    """SEND_TO_USER_INBOX, and optionally the user posting the draft later."""
    with state.lock:
        publish.status = "SEND_TO_USER_INBOX"
    _notify(state, publish, "post.publish.inbox_delivered")
    delay = state.config.inbox_auto_publish_after
    if delay is not None:
        state.schedule(delay, complete, state, publish.publish_id)


def complete(state: SandboxState, publish_id: str) -> bool:
    """PUBLISH_COMPLETE; public posts become publicly available one step later."""
    with state.lock:
        publish = state.publishes.get(publish_id)
        if publish is None or publish.status in FINAL:
            return False
        publish.status = "PUBLISH_COMPLETE"
    _notify(state, publish, "post.publish.complete")
    if _is_public(publish):
        state.schedule(state.config.status_step_delay, _publicly_available, state, publish)
    return True


def _is_public(publish: Publish) -> bool:
    """Direct posts follow privacy_level; inbox drafts follow the account's visibility."""
    if publish.publish_type == "DIRECT_PUBLISH":
        return publish.post_info.get("privacy_level") == "PUBLIC_TO_EVERYONE"
    creator = by_id(publish.open_id)
    return bool(creator and not creator.private)


def _publicly_available(state: SandboxState, publish: Publish) -> None:
    """Moderation passed: expose the post id."""
    new_id = post_id()
    with state.lock:
        publish.post_ids.append(new_id)
        title = str(publish.post_info.get("title") or "")
        state.videos[str(new_id)] = Video(str(new_id), publish.open_id, time.time(), title)
    _notify(state, publish, "post.publish.publicly_available", post_id=new_id)


def fail(state: SandboxState, publish_id: str, reason: str) -> bool:
    """FAILED with a fail_reason (unless already final)."""
    with state.lock:
        publish = state.publishes.get(publish_id)
        if publish is None or publish.status in FINAL:
            return False
        publish.status = "FAILED"
        publish.fail_reason = reason
    _notify(state, publish, "post.publish.failed", reason=reason)
    return True


def _notify(state: SandboxState, publish: Publish, event: str, **extra: object) -> None:
    """Send the status webhook for a publish."""
    content = {"publish_id": publish.publish_id, **extra, "publish_type": publish.publish_type}
    state.send_webhook(event, publish.open_id, content)
