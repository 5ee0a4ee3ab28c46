"""Processing after the last byte: timed steps to processed, failed or rejected."""

from __future__ import annotations

from studio.sandbox.youtube.state import YouTubeState

FAILURE_REASONS = {"codec", "conversion", "emptyFile", "invalidFile", "tooSmall", "uploadAborted"}
REJECTION_REASONS = {
    "claim", "copyright", "duplicate", "inappropriate", "legal", "length", "termsOfUse",
    "trademark", "uploaderAccountClosed", "uploaderAccountSuspended",
}  # fmt: skip
OUTCOMES = {"processed": None, "failed": FAILURE_REASONS, "rejected": REJECTION_REASONS}
# failureReason → processingDetails.processingFailureReason (mapping not documented by Google).
PROCESSING_FAILURE = {
    "codec": "transcodeFailed",
    "conversion": "transcodeFailed",
    "invalidFile": "transcodeFailed",
    "uploadAborted": "uploadFailed",
}


def check_outcome(outcome: str, reason: str | None) -> None:
    """Refuse outcomes and reasons YouTube does not have."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}")
    allowed = OUTCOMES[outcome]
    if allowed is not None and reason not in allowed:
        raise ValueError(f"reason for {outcome} must be one of {sorted(allowed)}")


def start(state: YouTubeState, video_id: str, outcome: str, reason: str | None) -> None:
    """Begin the timed steps; the last one applies the outcome."""
    check_outcome(outcome, reason)
    state.schedule(state.config.processing_step_delay, _step, state, video_id, outcome, reason)


def _step(state: YouTubeState, video_id: str, outcome: str, reason: str | None) -> None:
    with state.lock:
        video = state.videos.get(video_id)
        if video is None or video.processing_status != "processing":
            return
        video.parts_processed += 1
        done = video.parts_processed >= state.config.processing_steps
    if done:
        finish(state, video_id, outcome, reason)
    else:
        state.schedule(state.config.processing_step_delay, _step, state, video_id, outcome, reason)


def finish(state: YouTubeState, video_id: str, outcome: str, reason: str | None) -> bool:
    """Apply an end state now (if the video is still processing); whether it changed."""
    check_outcome(outcome, reason)
    with state.lock:
        video = state.videos.get(video_id)
        if video is None or video.processing_status != "processing":
            return False
        video.upload_status = outcome
        if outcome == "processed":
            video.processing_status = "succeeded"
        elif outcome == "failed":
            video.failure_reason = reason
            video.processing_status = "failed"
            video.processing_failure_reason = PROCESSING_FAILURE.get(reason or "", "other")
        else:
            video.rejection_reason = reason
            video.processing_status = "terminated"  # unverified: what YouTube shows here
        state.counters[f"videos_{outcome}"] += 1
        return True
