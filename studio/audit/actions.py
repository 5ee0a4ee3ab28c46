"""Audit action names, spelled "subject:action", and the shapes rooms hand the log."""

import enum
from collections.abc import Callable

from sqlalchemy.orm import Session

# (value, label) of every connected account, for the viewer's filter.
AccountChoices = Callable[[Session], list[tuple[str, str]]]


class Action(enum.StrEnum):
    """Every kind of audit entry."""

    AUTH_LOGIN = "auth:login"
    AUTH_LOGIN_FAILED = "auth:login_failed"
    AUTH_LOGOUT = "auth:logout"
    AUTH_PASSWORD_CHANGED = "auth:password_changed"
    AUTH_TOTP_ENABLED = "auth:totp_enabled"
    AUTH_TOTP_DISABLED = "auth:totp_disabled"
    AUTH_RECOVERY_CODE_USED = "auth:recovery_code_used"
    AUTH_RECOVERY_CODES_RENEWED = "auth:recovery_codes_renewed"
    AUTH_EMAIL_CHANGED = "auth:email_changed"
    USER_CREATED = "user:created"
    USER_UPDATED = "user:updated"
    USER_PASSWORD_RESET = "user:password_reset"
    USER_DELETED = "user:deleted"
    TIKTOK_REQUEST = "tiktok:request"
    TIKTOK_CONNECTED = "tiktok:connected"
    TIKTOK_CONNECT_FAILED = "tiktok:connect_failed"
    TIKTOK_DISCONNECTED = "tiktok:disconnected"
    TIKTOK_REFRESHED = "tiktok:refreshed"
    TIKTOK_REFRESH_FAILED = "tiktok:refresh_failed"
    VIDEO_UPLOADED = "video:uploaded"
    VIDEO_REJECTED = "video:rejected"
    VIDEO_DELETED = "video:deleted"
    VIDEO_FILE_DELETED = "video:file_deleted"
    VIDEO_UPLOAD_CANCELLED = "video:upload_cancelled"
    POST_SENT = "post:sent"
    POST_RETRIED = "post:retried"
    POST_STATUS = "post:status"
    POST_MEDIA_FETCHED = "post:media_fetched"
    WEBHOOK_RECEIVED = "webhook:received"
    WEBHOOK_REJECTED = "webhook:rejected"
    DELETION_REQUESTED = "deletion:requested"
    DELETION_VERIFIED = "deletion:verified"
    DELETION_DECIDED = "deletion:decided"
    DELETION_EXECUTED = "deletion:executed"
    DELETION_EXPORTED = "deletion:exported"
    DELETION_EXTENDED = "deletion:extended"
    DELETION_REJECTED = "deletion:rejected"
    DELETION_STEP = "deletion:step"
    DELETION_REPLAYED = "deletion:replayed"
    CONTACT_RECEIVED = "contact:received"
    POLICY_CHANGED = "policy:changed"
    ACCESS_REVOKED = "access:revoked"
    VAULT_ROTATED = "vault:rotated"
    AUDIT_EXPORTED = "audit:exported"
    AUDIT_SEALED = "audit:sealed"
    RETENTION_PURGED = "retention:purged"
