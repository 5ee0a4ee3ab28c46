"""RetryAction: what a caller does after a platform failure (each platform's table returns one)."""

from __future__ import annotations

import enum


class RetryAction(enum.StrEnum):
    """What a caller should do after a failure."""

    BACKOFF = "backoff"  # exponential backoff with jitter, bounded attempts and deadline
    NEXT_WINDOW = "next_window"  # a rate limit or quota: wait for its window to reopen
    REFRESH_TOKEN = "refresh_token"  # refresh the access token once, then retry once
    REINIT = "reinit"  # the upload URL or session is gone: check, then start the upload again
    RECONNECT = "reconnect"  # the grant is gone or lacks a scope: an admin must reconnect
    TERMINAL = "terminal"  # retrying cannot help; show the reason
