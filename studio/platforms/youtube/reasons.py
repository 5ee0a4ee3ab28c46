"""Why a YouTube delivery failed, in plain words, and whether trying again can help."""

from __future__ import annotations

from studio.platforms.sending import Reason
from studio.platforms.youtube.errors import InsufficientPermissions, InvalidGrant, NoChannel
from studio.platforms.youtube.results import FAILURE_WORDS, REJECTION_WORDS

_FIX_FILE = " Export the video again (MP4, H.264) and send a new post."
_RETRYABLE = {"uploadAborted"}

# status.failureReason and status.rejectionReason (docs/platforms/youtube.md, Processing
# status), as YouTube names them in videos.list.
FAIL_REASONS: dict[str, Reason] = {
    **{
        code: Reason(words + ("" if code in _RETRYABLE else _FIX_FILE), code in _RETRYABLE)
        for code, words in FAILURE_WORDS.items()
    },
    **{code: Reason(words, False) for code, words in REJECTION_WORDS.items()},
    "deleted": Reason("The video was deleted on YouTube before it finished processing.", True),
}

# Our own codes: what the sender decided, or Google's error in words.
OWN_REASONS: dict[str, Reason] = {
    "reconnect_needed": Reason(InvalidGrant.plain, False),
    "invalid_grant": Reason(InvalidGrant.plain, False),
    "insufficientPermissions": Reason(InsufficientPermissions.plain, False),
    "youtubeSignupRequired": Reason(NoChannel.plain, False),
    "noChannel": Reason(NoChannel.plain, False),
    "file_missing": Reason(
        "The video file is no longer on this server (it was deleted). Upload it again.", False
    ),
    "gave_up": Reason(
        "YouTube did not answer successfully after several attempts. Try again later.", True
    ),
    "status_timeout": Reason(
        "YouTube is still processing after a long time. Try again to check once more.", True
    ),
    "upload_restarts": Reason(
        "YouTube's upload session had to be started again too many times. Try again later.",
        True,
    ),
    "missing": Reason(
        "YouTube no longer lists the uploaded video (it was deleted, or the channel lost it).",
        True,
    ),
}


def explain(code: str, message: str | None = None, from_platform: bool = False) -> Reason:
    """YouTube's reasons first when YouTube named them, then ours, then Google's words."""
    reason = FAIL_REASONS.get(code) if from_platform else None
    if code == "reconnect_needed" and message:
        return Reason(
            f"{message} Reconnect the channel on the YouTube page, then try again.", False
        )
    reason = reason or OWN_REASONS.get(code)
    if reason is not None:
        return reason
    if code == "invalid_metadata":
        return Reason(f"The video's details break YouTube's rules: {message}", False)
    if from_platform:
        return Reason(f"YouTube did not publish the video ({code}).", False)
    detail = f": {message}" if message else "."
    return Reason(f"YouTube refused the video ({code}){detail}", False)
