"""The data inventory: every stored column that holds personal data or secrets, and why.

Each :class:`Dataset` groups columns (``"table.column"``) that share a purpose, legal basis,
retention and erasure method; ``nonpersonal.NON_PERSONAL`` lists every other column. A test
walks the schema and fails when a column is in neither, or when an entry names a column that
no longer exists, so the privacy policy (rendered from this module) cannot drift from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import MetaData

from studio.privacy.nonpersonal import NON_PERSONAL

CONTRACT = "performance of the contract with the account owner (GDPR Art. 6(1)(b))"
LEGITIMATE = "our legitimate interest in running and securing the service (Art. 6(1)(f))"
LEGAL = "compliance with a legal obligation (Art. 6(1)(c))"
EMPLOYMENT = "the employment or service contract with the staff member (Art. 6(1)(b))"


@dataclass(frozen=True)
class Dataset:
    """Columns holding one kind of personal data or secret, with how we treat them."""

    key: str
    title: str
    subjects: str
    columns: tuple[str, ...]
    purpose: str
    basis: str
    retention: str
    erasure: str
    secret: bool = False


@dataclass(frozen=True)
class Store:
    """Personal data kept outside database columns (files, logs, mail)."""

    key: str
    title: str
    contents: str
    retention: str
    erasure: str
    purpose: str = ""


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        key="staff_accounts",
        title="Staff accounts",
        subjects="our staff",
        columns=(
            "users.email",
            "users.created_at",
            "users.last_login_at",
            "users.time_zone",
            "users.notify_off",
        ),
        purpose="Let authorised staff sign in, attribute their actions, show times in their "
        "time zone and send them the e-mails they chose.",
        basis=EMPLOYMENT,
        retention="While the person works with us; removed when their account is deleted.",
        erasure="An administrator deletes the account: the e-mail and sign-in data are erased "
        "and its sign-in sessions end; the audit log keeps only the staff number.",
    ),
    Dataset(
        key="staff_credentials",
        title="Staff sign-in secrets",
        subjects="our staff",
        columns=(
            "users.password_hash",
            "users.totp_secret",
            "users.last_totp_step",
            "users.password_changed_at",
            "recovery_codes.code_hash",
            "recovery_codes.created_at",
            "recovery_codes.used_at",
            "login_sessions.pending_totp",
        ),
        purpose="Check passwords (Argon2 hashes only), two-factor codes and one-time recovery "
        "codes (SHA-256 hashes only).",
        basis=EMPLOYMENT,
        retention="Until changed or the account is deleted.",
        erasure="Overwritten on change; deleted with the account. Two-factor seeds are "
        "encrypted with the vault key.",
        secret=True,
    ),
    Dataset(
        key="staff_sessions",
        title="Staff sign-in sessions",
        subjects="our staff",
        columns=(
            "login_sessions.token_hash",
            "login_sessions.created_at",
            "login_sessions.last_seen_at",
        ),
        purpose="Keep staff signed in and let them sign out everywhere.",
        basis=LEGITIMATE,
        retention="Until sign-out or expiry (12 hours, or 7 days with “keep me signed in”).",
        erasure="Deleted at sign-out; expired sessions are deleted by the retention job.",
        secret=True,
    ),
    Dataset(
        key="tiktok_profile",
        title="Connected account profiles",
        subjects="owners of the accounts connected to the service, and the person whose "
        "sign-in at the platform connected them where it differs",
        columns=(
            "accounts.remote_id",
            "accounts.display_name",
            "accounts.handle",
            "accounts.avatar_url",
            "accounts.status_reason",
            "accounts.connected_at",
            "accounts.disconnected_at",
            "accounts.reconnect_mailed_at",
        ),
        purpose="Know which account videos go to, show staff who they are posting as, and "
        "which sign-in each account was chosen through.",
        basis=CONTRACT,
        retention="While the account is connected, and afterwards until the owner asks us to "
        "delete it (disconnected accounts keep their history for staff).",
        erasure="A deletion request deletes the row; revocation erases only the tokens.",
    ),
    Dataset(
        key="tiktok_tokens",
        title="Access tokens of connected accounts",
        subjects="owners of the accounts connected to the service, and the person whose "
        "sign-in at the platform connected them where it differs",
        columns=(
            "accounts.access_token_enc",
            "accounts.refresh_token_enc",
            "accounts.data_key",
            "accounts.access_expires_at",
            "accounts.refresh_expires_at",
            "accounts.last_refresh_at",
        ),
        purpose="Upload videos to the account on its owner's behalf.",
        basis=CONTRACT,
        retention="Until access is revoked (here, at the platform, or by staff), the platform "
        "refuses to renew them, or the refresh token expires (the retention job erases them "
        "then).",
        erasure="Revoked at the platform where possible, then the tokens and the account's own "
        "encryption key are erased from the database. Backups taken earlier keep them until "
        "the backups are deleted; a restore replays the deletion ledger first.",
        secret=True,
    ),
    Dataset(
        key="oauth_flows",
        title="Sign-in attempts at the platforms",
        subjects="people signing in at a platform we publish to (staff connecting an account, "
        "owners signing in at their platform to prove a data request)",
        columns=(
            "oauth_flows.state_hash",
            "oauth_flows.verifier_enc",
            "oauth_flows.public_id",
            "oauth_flows.login_session_hash",
            "oauth_flows.created_at",
            "oauth_flows.used_at",
        ),
        purpose="Protect these sign-ins against forgery (state and PKCE).",
        basis=LEGITIMATE,
        retention="Minutes: single use, and deleted by the retention job after expiry.",
        erasure="Deleted by the retention job; the verifier is erased as soon as it is used.",
        secret=True,
    ),
    Dataset(
        key="videos",
        title="Videos",
        subjects="people appearing in videos, and account owners the videos were sent to",
        columns=(
            "videos.display_name",
            "videos.content_hash",
            "videos.storage_name",
            "videos.poster_name",
            "upload_sessions.display_name",
        ),
        purpose="Prepare and send the company's product videos.",
        basis=LEGITIMATE,
        retention="The file for {VIDEO_RETENTION_DAYS} days after upload; the record until the "
        "file is gone and no post refers to it.",
        erasure="The retention job deletes files, then records no post refers to; a deletion "
        "request deletes the videos sent to the account, their files and posters.",
    ),
    Dataset(
        key="posts",
        title="Posts",
        subjects="owners of the TikTok accounts posts were sent to",
        columns=(
            "posts.caption",
            "posts.hashtags",
            "posts.product_name",
            "posts.product_sku",
            "posts.consent_text",
            "posts.returned_reason",
            "deliveries.options",
            "deliveries.remote_id",
            "deliveries.remote_post_ids",
            "deliveries.remote_url",
            "deliveries.fail_message",
            "deliveries.status_note",
        ),
        purpose="Send each video with its caption and settings, and show staff what happened.",
        basis=CONTRACT,
        retention="As long as the TikTok account is connected or its history is kept.",
        erasure="A deletion request deletes the deliveries to the account, and the posts left "
        "with none.",
    ),
    Dataset(
        key="caption_templates",
        title="Caption templates",
        subjects="our staff (each template records its author), and anyone a caption names",
        columns=(
            "caption_templates.name",
            "caption_templates.name_key",
            "caption_templates.caption",
            "caption_templates.hashtags",
            "caption_templates.created_by_id",
        ),
        purpose="Let staff reuse captions and hashtags they write often. Templates are meant "
        "for product texts; a caption may still mention a person by name or handle.",
        basis=LEGITIMATE,
        retention="Until a staff member deletes the template.",
        erasure="Staff (the author or an admin) delete templates on the Caption templates "
        "page. When a staff account is deleted its templates stay for the team; they then "
        "refer to the author only by staff number.",
    ),
    Dataset(
        key="metrics",
        title="Performance figures",
        subjects="owners of the connected accounts",
        columns=(
            "metric_videos.remote_id",
            "metric_videos.title",
            "metric_videos.published_at",
            "account_snapshots.followers",
            "account_snapshots.following",
            "account_snapshots.likes",
            "account_snapshots.videos",
            "video_snapshots.views",
            "video_snapshots.likes",
            "video_snapshots.comments",
            "video_snapshots.shares",
            "video_snapshots.saves",
            "video_snapshots.reach",
        ),
        purpose="Show the company how its own accounts and videos perform: counts per day "
        "(followers, views, likes, comments, shares) and the videos' ids and titles. Nothing "
        "about other users, followers or viewers is read or kept.",
        basis=LEGITIMATE,
        retention="As long as each platform's developer policies allow: where they limit API "
        "data to 30 days, figures, video ids and titles not read again within 30 days are "
        "deleted; otherwise two years.",
        erasure="Deleted with the account by a deletion request; older figures are deleted "
        "by the daily snapshot job.",
    ),
    Dataset(
        key="post_upload_urls",
        title="Upload addresses",
        subjects="owners of the TikTok accounts posts were sent to",
        columns=("deliveries.transfer_url_enc",),
        purpose="Resume an upload the platform has accepted.",
        basis=CONTRACT,
        retention="Until the upload ends: at most one hour at TikTok (its validity), about a "
        "week for a resumable upload session elsewhere.",
        erasure="Encrypted; deleted with the delivery.",
        secret=True,
    ),
    Dataset(
        key="audit_payloads",
        title="Audit log contents",
        subjects="account owners, staff, and people who sign in with TikTok without a connected "
        "account (to revoke access, or to verify a request)",
        columns=("audit_entries.payload", "audit_entries.salt"),
        purpose="Prove what was exchanged with TikTok and what staff did (secrets removed).",
        basis=LEGITIMATE,
        retention="{AUDIT_RETENTION_DAYS} days (the log's retention), unless erased earlier. "
        "For people whose TikTok "
        "account is not connected (their TikTok ID and display name): "
        "{UNCONNECTED_AUDIT_DAYS} days, then the retention job erases the contents.",
        erasure="A deletion request erases the contents of every entry about the account; the "
        "entry's digest stays, so the chain still verifies.",
    ),
    Dataset(
        key="audit_actors",
        title="Audit log: who acted",
        subjects="our staff",
        columns=("audit_entries.actor_id", "audit_entries.actor_label"),
        purpose="Account for which staff member did what.",
        basis=LEGITIMATE,
        retention="{AUDIT_RETENTION_DAYS} days: then the retention job deletes the entries, in "
        "whole sealed segments so that the rest of the log still verifies.",
        erasure="Part of the tamper-evident chain, so not erased; it never names account owners.",
    ),
    Dataset(
        key="deletion_requests",
        title="Data requests (deletion, copy, correction)",
        subjects="people who ask us to delete, copy or correct their data",
        columns=(
            "deletion_requests.subject_enc",
            "deletion_requests.subject_hash",
            "deletion_requests.subject_salt",
            "deletion_requests.received_at",
            "deletion_requests.verified_at",
            "deletion_requests.completed_at",
            "deletion_requests.reason",
            "deletion_requests.extension_reason",
        ),
        purpose="Verify who asked, carry out the request and prove that we did. What a "
        "correction request says is wrong, and an optional address for notices, are kept "
        "with who asked.",
        basis=LEGAL,
        retention="Who asked is kept encrypted only while the request is open. Afterwards a "
        "receipt remains for {DELETION_RECEIPT_DAYS} days: a salted hash of the identifier, "
        "dates and counts. Requests not verified within {DELETION_UNVERIFIED_DAYS} days are "
        "closed.",
        erasure="The request's own encryption key is destroyed when it closes, which makes "
        "the identifier unreadable; receipts are deleted by the retention job.",
    ),
    Dataset(
        key="deletion_secrets",
        title="Deletion request codes and keys",
        subjects="people who ask us to delete their data",
        columns=("deletion_requests.code_hash", "deletion_requests.data_key"),
        purpose="Let the requester follow their request with a confirmation code.",
        basis=LEGAL,
        retention="The key until the request closes; the code's hash as long as the receipt.",
        erasure="We store only a hash of the code; the key is destroyed when the request closes.",
        secret=True,
    ),
    Dataset(
        key="deletion_browsers",
        title="Deletion request links and browser holds",
        subjects="people who ask us to delete their data",
        columns=(
            "deletion_links.token_hash",
            "deletion_links.created_at",
            "deletion_links.used_at",
            "deletion_browsers.handle_hash",
            "deletion_browsers.code_enc",
            "deletion_browsers.verified_until",
            "deletion_browsers.created_at",
        ),
        purpose="Make e-mailed links single-use, and let the browser that filed or verified a "
        "request continue it without putting the code in a cookie.",
        basis=LEGAL,
        retention="Links for {DELETION_LINK_HOURS} hours; browser holds up to "
        "{DELETION_UNVERIFIED_DAYS} days; holds end when the request closes.",
        erasure="Deleted when the request closes, and by the retention job after expiry; we "
        "store only hashes, and the code only encrypted under a key the browser holds.",
        secret=True,
    ),
    Dataset(
        key="webhook_deliveries",
        title="Notifications from the platforms",
        subjects="owners of connected TikTok accounts, and people whose deletion request Meta "
        "forwards (when configured)",
        columns=("webhook_deliveries.body_enc", "webhook_deliveries.digest"),
        purpose="Act on a removed authorisation, a deletion request or a post's status.",
        basis=LEGITIMATE,
        retention="The message (encrypted) until processed; its digest for "
        "{WEBHOOK_RETENTION_DAYS} days to recognise TikTok's repeated deliveries.",
        erasure="The message is erased once processed; digests are deleted by the retention job.",
    ),
    # Contact form (/contact): privacy questions, delivered to the operator by mail.
    Dataset(
        key="contact_messages",
        title="Messages sent through the contact form",
        subjects="people who write to us",
        columns=(
            "contact_messages.name",
            "contact_messages.email",
            "contact_messages.message",
            "contact_messages.received_at",
            "contact_messages.delivered_at",
        ),
        purpose="Answer questions about privacy and requests about personal data.",
        basis=LEGAL,
        retention="{CONTACT_RETENTION_DAYS} days after the message arrived.",
        erasure="Deleted by the retention job.",
    ),
)


STORES: tuple[Store, ...] = (
    Store(
        key="uploads",
        title="Video files",
        contents="Uploaded video files and their poster frames (which may show people).",
        retention="Deleted {VIDEO_RETENTION_DAYS} days after upload, or when the video is deleted.",
        erasure="Files are deleted from disk; the retention job removes expired ones.",
    ),
    Store(
        key="logs",
        title="Server logs",
        contents="Technical events, and for each request the visitor's IP address, the time, "
        "the method and the path (without query strings). No tokens or names.",
        purpose="Find faults and stop abuse (our legitimate interest, Art. 6(1)(f)).",
        retention="{LOG_RETENTION_DAYS} days: logs are rotated daily and older files deleted.",
        erasure="Rotation deletes old logs (the application's own log file and the web "
        "server's, as shipped in deploy/).",
    ),
    Store(
        key="rate_limits",
        title="Rate-limit counters",
        contents="Visitors' IP addresses, and e-mail addresses typed into the staff sign-in "
        "form, as keys of counters, in memory or in Redis.",
        purpose="Stop password guessing and abuse of public forms (legitimate interest).",
        retention="Until the counter's window ends: at most one hour.",
        erasure="Counters expire by themselves.",
    ),
    Store(
        key="outbox",
        title="Outgoing e-mail",
        contents="When no mail server is configured, copies of the e-mail we send: "
        "verification links and notices about data requests, and contact-form messages.",
        retention="{OUTBOX_RETENTION_DAYS} days, or until the person they were sent to has "
        "their data deleted.",
        erasure="The retention job deletes copies older than that; a completed deletion "
        "request deletes the copies sent to its requester at once.",
    ),
    Store(
        key="ledger",
        title="Deletion ledger",
        contents="Internal numbers of erased accounts and token sets, and when: no names, "
        "e-mail addresses or platform identifiers.",
        purpose="Erase again what a restored backup would bring back.",
        retention="{BACKUP_RETENTION_DAYS} days, as long as the oldest backup.",
        erasure="The retention job deletes older entries.",
    ),
    Store(
        key="backups",
        title="Database backups",
        contents="Copies of the database, including data erased after the copy was made.",
        purpose="Restore the service after a failure.",
        retention="{BACKUP_RETENTION_DAYS} days.",
        erasure="Older backups are deleted; a restore first replays the deletion ledger.",
    ),
)

IGNORED_TABLES = ("alembic_version",)

# Every file the service writes into its instance folder, and the declaration covering it
# (a dataset, a store, or why it holds no personal data); a test fails on any other file.
INSTANCE_FILES: dict[str, str] = {
    "studio.db*": "the database: every dataset above",
    "uploads/*": "store:uploads",
    "outbox/*.eml": "store:outbox",
    "deletion-ledger.jsonl": "store:ledger",
    "audit-seals.jsonl": "non-personal: chain heads (sequence number, hash, MAC)",
    "audit-drops.jsonl": "non-personal: where retention cut the audit log (seq, hash, MAC)",
    "jobs.db*": "non-personal: the job queue holds task names and internal ids",
    "config.py": "non-personal: generated secrets outside production",
}


def declared_columns() -> dict[str, Dataset]:
    """Map of ``"table.column"`` to the dataset declaring it."""
    return {col: ds for ds in DATASETS for col in ds.columns}


def non_personal_columns() -> set[str]:
    """Every column explicitly marked as holding no personal data."""
    return {f"{table}.{col}" for table, cols in NON_PERSONAL.items() for col in cols}


def schema_columns(metadata: MetaData) -> set[str]:
    """Every ``"table.column"`` in the schema."""
    return {
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        if table.name not in IGNORED_TABLES
        for column in table.columns
    }


def undeclared(metadata: MetaData) -> list[str]:
    """Schema columns that the inventory neither declares nor marks non-personal."""
    known = set(declared_columns()) | non_personal_columns()
    return sorted(schema_columns(metadata) - known)


def stale(metadata: MetaData) -> list[str]:
    """Inventory entries naming columns that no longer exist."""
    return sorted((set(declared_columns()) | non_personal_columns()) - schema_columns(metadata))


def duplicated() -> list[str]:
    """Columns declared twice (in two datasets, or both personal and non-personal)."""
    seen: dict[str, int] = {}
    for col in [c for ds in DATASETS for c in ds.columns] + sorted(non_personal_columns()):
        seen[col] = seen.get(col, 0) + 1
    return sorted(c for c, n in seen.items() if n > 1)


def _filled(item: Dataset | Store, config: Mapping[str, Any]) -> dict[str, Any]:
    data = asdict(item)
    data["retention"] = item.retention.format_map(_Days(config))
    return data


class _Days(dict):
    """Placeholders in retention texts are filled from configuration keys."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__()
        self.config = config

    def __missing__(self, key: str) -> str:
        return str(self.config[key])


def datasets(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The datasets as plain data with retention periods filled in from ``config``."""
    return [_filled(ds, config) for ds in DATASETS]


def stores(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The non-column stores as plain data with retention periods filled in."""
    return [_filled(s, config) for s in STORES]
