"""Why a TikTok delivery failed, in plain words, and whether trying again can help."""

from __future__ import annotations

from studio.platforms.sending import Reason

# TikTok's status/fetch `fail_reason` values (docs/platforms/tiktok.md, "Status fetch").
FAIL_REASONS: dict[str, Reason] = {
    "file_format_check_failed": Reason(
        "TikTok could not read this video format. Export it as MP4 (H.264) and upload it again.",
        False,
    ),
    "duration_check_failed": Reason(
        "TikTok refused the video's length. Trim it to the account's limit and upload it again.",
        False,
    ),
    "frame_rate_check_failed": Reason(
        "TikTok refused the frame rate. Export the video at 23–60 frames per second.", False
    ),
    "picture_size_check_failed": Reason(
        "TikTok refused the picture size. Width and height must each be 360–4096 pixels.", False
    ),
    "internal": Reason("TikTok had an internal problem processing the video. Try again.", True),
    "video_pull_failed": Reason(
        "TikTok could not download the video from this server (or took over an hour). "
        "Try again; if it keeps failing, check that the media address is reachable.",
        True,
    ),
    "photo_pull_failed": Reason("TikTok could not download the photos. Try again.", True),
    "publish_cancelled": Reason("The upload was cancelled before TikTok finished it.", True),
    "auth_removed": Reason(
        "The account owner removed this app's access in TikTok while the video was processing. "
        "Reconnect the account, then try again.",
        False,
    ),
    "spam_risk_too_many_posts": Reason(
        "The account reached TikTok's daily limit for posts made through apps. Try again "
        "tomorrow, or post from the TikTok app.",
        True,
    ),
    "spam_risk_user_banned_from_posting": Reason(
        "TikTok has banned this account from posting.", False
    ),
    "spam_risk_text": Reason(
        "TikTok judged the caption spammy or risky. Reword it and send a new post.", False
    ),
    "spam_risk": Reason("TikTok judged this request risky and refused it.", False),
}

# Errors our own requests met, before TikTok had the video (init and upload answers).
REQUEST_ERRORS: dict[str, Reason] = {
    "reconnect_needed": Reason(
        "The TikTok account needs to be reconnected by an admin (its access was revoked or "
        "expired). Try again once it is reconnected.",
        True,
    ),
    "scope_not_authorized": Reason(
        "The TikTok account did not grant the permission this needs. Reconnect it and allow "
        "uploads (and posting, for direct posts).",
        True,
    ),
    "invalid_param": Reason("TikTok refused the request as invalid.", False),
    "invalid_params": Reason("TikTok refused the request as invalid.", False),
    "invalid_file_upload": Reason("TikTok refused the uploaded file.", False),
    "spam_risk_user_banned_from_posting": FAIL_REASONS["spam_risk_user_banned_from_posting"],
    "spam_risk_too_many_posts": FAIL_REASONS["spam_risk_too_many_posts"],
    "reached_active_user_cap": Reason(
        "This app reached TikTok's daily limit of posting accounts. Try again tomorrow.", True
    ),
    "url_ownership_unverified": Reason(
        "TikTok refused to download from this server: the media address prefix is not "
        "verified in the TikTok developer portal.",
        False,
    ),
    "privacy_level_option_mismatch": Reason(
        "The chosen visibility is no longer offered for this account. Prepare the post again.",
        False,
    ),
    "unaudited_client_can_only_post_to_private_accounts": Reason(
        "Until TikTok audits this app, direct posts may only go to private accounts as "
        "'Only me'. Send it as a draft instead.",
        False,
    ),
    "gave_up": Reason(
        "TikTok did not answer successfully after several attempts. Try again later.", True
    ),
    "status_timeout": Reason(
        "TikTok is still processing after a long time. Try again to check once more.", True
    ),
    "upload_restarts": Reason(
        "The upload had to be restarted too many times. Try again later.", True
    ),
    "file_missing": Reason(
        "The video file is no longer on this server (it was deleted). Upload it again.", False
    ),
}


def explain(code: str | None, message: str | None = None) -> Reason:
    """The plain-words reason for a TikTok fail_reason or error code."""
    if code == "invalid_video":  # our own check before init (restrictions.py)
        return Reason(f"TikTok cannot take this video: {message}. Nothing was sent.", False)
    if code and code in FAIL_REASONS:
        return FAIL_REASONS[code]
    if code and code in REQUEST_ERRORS:
        return REQUEST_ERRORS[code]
    detail = f" ({message})" if message else ""
    return Reason(f"TikTok refused the video: {code or 'unknown reason'}{detail}.", False)
