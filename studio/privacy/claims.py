"""Every sentence the privacy policy can say about the service, with the tests that prove it.

A :class:`Claim` is rendered only when its condition holds for the configuration; its text is
filled from configuration keys. ``tests/privacy/test_claims.py`` renders the policy under
several configurations and fails when a rendered claim (or dataset, store or cookie) names no
proving test, or a test that does not exist. Claims of kind ``law`` state what the law gives
people (no code can prove them) and need no test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from studio.auth import devices
from studio.platforms.meta.connection import enabled as meta_connects
from studio.platforms.youtube.connection import enabled as youtube_enabled

Config = Mapping[str, Any]


def _always(config: Config) -> bool:
    return True


def _key(name: str) -> Callable[[Config], bool]:
    def check(config: Config) -> bool:
        return bool(config.get(name))

    return check


def meta_enabled(config: Config) -> bool:
    """Meta is a recipient when it can be connected or its signed callbacks are accepted."""
    return meta_connects(config) or bool(config.get("META_APP_SECRET"))


def is_sqlite(config: Config) -> bool:
    """Whether the configured database is SQLite (the default)."""
    return str(config.get("DATABASE_URL") or "sqlite").startswith("sqlite")


def _not_sqlite(config: Config) -> bool:
    return not is_sqlite(config)


@dataclass(frozen=True)
class Claim:
    """One statement of the policy and the pytest node ids that prove it."""

    key: str
    section: str
    text: str
    proofs: tuple[str, ...] = ()
    when: Callable[[Config], bool] = _always
    link: str | None = None  # endpoint the sentence starts with, as a link
    link_text: str = ""
    link_kind: str | None = None  # the link's ?kind= (which right a data request is for)
    kind: str = "fact"  # fact (proved by tests) | law (what the law grants)


P = "tests/privacy/"
YT = "tests/platforms/youtube/"
MT = "tests/platforms/meta/"
CLAIMS: tuple[Claim, ...] = (
    Claim(
        "hosting",
        "who",
        "{OPERATOR_HOSTING} hosts the service for us, as our processor: its servers store the "
        "data described on this page.",
        (P + "test_claims.py::test_optional_statements_follow_the_configuration",),
        _key("OPERATOR_HOSTING"),
    ),
    Claim(
        "no_selling",
        "sharing",
        "We do not sell personal data or use it for advertising, and the service talks to no "
        "analytics, tracking or advertising service.",
        (P + "test_claims.py::test_clients_talk_only_to_declared_hosts",),
    ),
    Claim(
        "transfers",
        "sharing",
        "The platforms above may process the data we exchange with them outside {country}; "
        "their privacy policies say where, and under which safeguards.",
        (P + "test_claims.py::test_clients_talk_only_to_declared_hosts",),
    ),
    Claim(
        "smtp",
        "sharing",
        "Our e-mail provider ({SMTP_HOST}) delivers the e-mail we send: the recipient's address "
        "and the message (verification links, notices, and contact-form messages for us).",
        (P + "test_contact.py::test_mail_goes_through_the_configured_smtp_server",),
        _key("SMTP_HOST"),
    ),
    Claim(
        "youtube_user_data",
        "youtube",
        "Our use and transfer of information received from Google APIs adheres to the Google "
        "API Services User Data Policy (https://developers.google.com/terms/api-services-user-"
        "data-policy), including its Limited Use requirements: we use it only to publish the "
        "company's videos to its connected channel and to show staff which channel that is; "
        "we do not sell it, use it for advertising, or transfer it to anyone else.",
        (
            YT + "test_connect.py::test_consent_url_asks_exactly_what_is_needed",
            P + "test_claims.py::test_clients_talk_only_to_declared_hosts",
            YT + "test_disconnect.py::test_secrets_never_reach_pages_logs_audit_or_the_database",
        ),
        youtube_enabled,
    ),
    Claim(
        "youtube_scopes",
        "youtube",
        "We ask Google only for permission to upload videos to the channel and to see the "
        "channel (the youtube.upload and youtube.readonly scopes). A connection that lacks "
        "either is refused, and nothing of it is stored.",
        (
            YT + "test_connect.py::test_consent_url_asks_exactly_what_is_needed",
            YT + "test_connect.py::test_an_unticked_permission_is_refused_with_a_clear_page",
        ),
        youtube_enabled,
    ),
    Claim(
        "youtube_stored",
        "youtube",
        "When an admin connects the company's YouTube channel we store the channel's ID, "
        "title, handle and picture address, the permissions Google granted, and Google's "
        "access and refresh tokens, encrypted with a key of the account's own.",
        (
            YT + "test_connect.py::test_connect_end_to_end_stores_the_channel_and_shows_it",
            YT + "test_disconnect.py::test_secrets_never_reach_pages_logs_audit_or_the_database",
        ),
        youtube_enabled,
    ),
    Claim(
        "youtube_retention",
        "youtube",
        "The tokens are kept while the channel is connected: they are erased when staff "
        "disconnect it and when Google refuses to renew them. The channel's ID, title, handle "
        "and picture address stay with the disconnected account as staff's history.",
        (
            YT + "test_disconnect.py::test_disconnect_revokes_at_google_and_erases_the_tokens",
            YT + "test_tokens.py::test_invalid_grant_needs_reconnect_said_plainly",
        ),
        youtube_enabled,
    ),
    Claim(
        "youtube_revoke",
        "youtube",
        "Disconnecting revokes our access at Google before the tokens are erased. The "
        "channel's owner can also remove our access at any time at "
        "https://myaccount.google.com/permissions; the next renewal then fails and the tokens "
        "are erased.",
        (
            YT + "test_disconnect.py::test_disconnect_revokes_at_google_and_erases_the_tokens",
            YT + "test_tokens.py::test_invalid_grant_needs_reconnect_said_plainly",
        ),
        youtube_enabled,
    ),
    Claim(
        "meta_terms",
        "meta",
        "Our use of data received from Meta follows the Meta Platform Terms "
        "(https://developers.facebook.com/terms/) and Developer Policies: we use it only to "
        "publish the company's videos to the Facebook Pages and Instagram accounts staff chose "
        "and to show staff which accounts those are; we do not sell it, use it for advertising, "
        "or transfer it to anyone else.",
        (
            MT + "test_connect.py::test_consent_url_asks_exactly_what_is_needed",
            P + "test_claims.py::test_clients_talk_only_to_declared_hosts",
            MT + "test_disconnect.py::test_secrets_never_reach_pages_logs_audit_or_the_database",
        ),
        meta_connects,
    ),
    Claim(
        "meta_scopes",
        "meta",
        "We ask Meta only for the permissions publishing and its statistics need "
        "(pages_show_list, pages_read_engagement, pages_manage_posts, instagram_basic, "
        "instagram_content_publish, instagram_manage_insights, read_insights, "
        "business_management). A login without every publishing permission is refused, and "
        "nothing of it is stored.",
        (
            MT + "test_connect.py::test_consent_url_asks_exactly_what_is_needed",
            MT + "test_connect.py::test_an_unticked_permission_is_refused_with_a_clear_page",
        ),
        meta_connects,
    ),
    Claim(
        "meta_stored",
        "meta",
        "When an admin connects, we store the app-scoped ID, name and picture address of the "
        "person who logged in, and the ID, name and picture address (and the Instagram "
        "username) of each Page and Instagram account staff choose; Pages and accounts not "
        "chosen are not stored. We also store the permissions granted, the person's "
        "long-lived access token and each chosen Page's token, encrypted with a key of each "
        "account's own.",
        (
            MT + "test_connect.py::test_connect_end_to_end_stores_the_login_and_offers_its_"
            "accounts",
            MT + "test_connect.py::test_choosing_stores_the_page_and_instagram_and_shows_them",
            MT + "test_disconnect.py::test_secrets_never_reach_pages_logs_audit_or_the_database",
        ),
        meta_connects,
    ),
    Claim(
        "meta_retention",
        "meta",
        "The tokens are kept while the accounts are connected; we renew the login before its "
        "60 days run out. They are erased when staff disconnect or stop using an account, when "
        "Meta refuses the renewal, and when Meta tells us the app was removed. The IDs, names "
        "and pictures stay with the disconnected accounts as staff's history until a deletion "
        "request.",
        (
            MT + "test_disconnect.py::test_disconnect_removes_permissions_at_meta_and_erases_"
            "the_tokens",
            MT + "test_tokens.py::test_a_refused_renewal_needs_reconnect_said_plainly",
            MT + "test_tokens.py::test_the_periodic_job_renews_a_token_that_expires_soon",
            MT + "test_callbacks.py::test_deauthorize_disconnects_the_persons_accounts_and_"
            "erases_their_tokens",
        ),
        meta_connects,
    ),
    Claim(
        "meta_revoke",
        "meta",
        "Disconnecting removes our app's permissions at Meta before the tokens are erased. The "
        "person who logged in can also remove our app at any time in Facebook's settings "
        "(Settings & privacy → Settings → Business integrations, "
        "https://www.facebook.com/settings/?tab=business_tools, or Apps and websites); Meta "
        "then tells us, and we erase the tokens.",
        (
            MT + "test_disconnect.py::test_disconnect_removes_permissions_at_meta_and_erases_"
            "the_tokens",
            MT + "test_callbacks.py::test_deauthorize_disconnects_the_persons_accounts_and_"
            "erases_their_tokens",
        ),
        meta_connects,
    ),
    Claim(
        "cookies_only_forms",
        "cookies",
        "Pages without a form set no cookie. We use no analytics, tracking or advertising cookies.",
        (P + "test_claims.py::test_cookies_of_a_full_run_are_declared",),
    ),
    Claim(
        "tokens_encrypted",
        "security",
        "TikTok tokens are encrypted with a key of their own for each account, which is itself "
        "encrypted with the service's master keys.",
        (
            "tests/platforms/tiktok/test_vault.py::test_tokens_are_encrypted_under_the_accounts_own_key",
            "tests/platforms/tiktok/test_vault.py::test_no_secret_in_plaintext_in_the_database_or_wal",
        ),
    ),
    Claim(
        "tokens_erased",
        "security",
        "We erase an account's tokens and its key when access is revoked, when TikTok refuses "
        "to renew them, and when they expire.",
        (
            P + "test_verify.py::test_revoke_now_erases_tokens_and_confirms",
            "tests/platforms/tiktok/test_tokens.py::test_invalid_grant_marks_needs_reconnect_and_erases_the_tokens",
            P + "test_retention.py::test_tokens_past_the_refresh_expiry_are_erased",
        ),
    ),
    Claim(
        "audit_log",
        "security",
        "Every exchange with TikTok is kept in a tamper-evident audit log from which secrets "
        "are removed before anything is stored; its one-line summaries hold no personal data.",
        (
            "tests/audit/test_end_to_end.py::test_connect_records_every_exchange_without_secrets",
            "tests/audit/test_chain.py::test_changed_field_breaks_at_its_seq",
            P + "test_summaries.py::test_audit_summaries_hold_no_personal_data",
        ),
    ),
    Claim(
        "audit_retention",
        "security",
        "Audit log entries are kept for {AUDIT_RETENTION_DAYS} days. Older entries are then "
        "deleted in whole sealed segments, so the rest of the log still proves that it was not "
        "altered.",
        (
            "tests/audit/test_retention.py::test_chain_verifies_from_the_anchor_after_a_drop",
            "tests/audit/test_retention.py::test_tampering_after_a_drop_is_still_detected",
            "tests/audit/test_retention.py::"
            "test_nothing_is_dropped_unless_sealed_and_past_the_retention",
            "tests/audit/test_retention.py::test_flask_purge_drops_and_audit_verify_says_from_where",
        ),
    ),
    Claim(
        "staff_sign_in",
        "security",
        "Staff sign in with strong passwords (stored only as Argon2 hashes) and optionally a "
        "second factor.",
        (
            "tests/auth/test_login.py::test_weak_new_password_refused",
            "tests/auth/test_totp.py::test_enable_totp_then_login_needs_code",
        ),
    ),
    Claim(
        "https",
        "security",
        "In production every page is served over HTTPS only, with secure cookies.",
        ("tests/site/test_security.py::test_hsts_and_secure_cookies_in_production",),
    ),
    Claim(
        "overwritten",
        "security",
        "Deleted database content is overwritten in the database file, not just unlinked.",
        (P + "test_completeness.py::test_wal_is_truncated_by_the_checkpoint_after_erasure",),
        is_sqlite,
    ),
    Claim(
        "not_overwritten",
        "security",
        "Our database (PostgreSQL) does not overwrite deleted rows at once: it reuses their "
        "space later, and its backups and archived logs keep them until those are deleted "
        "(after {BACKUP_RETENTION_DAYS} days).",
        (P + "test_claims.py::test_the_database_statement_follows_the_configured_database",),
        _not_sqlite,
    ),
    Claim(
        "backups",
        "security",
        "Database backups are kept for {BACKUP_RETENTION_DAYS} days. They still hold data "
        "erased after they were taken, tokens included; before a backup is restored we replay "
        "the record of every erasure made since (kept outside the database), so erased data "
        "does not come back.",
        (
            P + "test_backup.py::test_restored_backup_forgets_a_deletion_again",
            P + "test_backup.py::test_restored_backup_forgets_revoked_tokens",
        ),
    ),
    Claim(
        "deletion",
        "rights",
        "you prove that the TikTok account (or e-mail address) is yours, can download a copy of "
        "your data first, and follow the request with a confirmation code.",
        (
            P + "test_verify.py::test_owner_verifies_and_sees_download_and_delete",
            P + "test_execute.py::test_owner_request_erases_account_tokens_videos_posts",
            P + "test_execute.py::test_export_before_deletion_holds_the_owners_data",
            P + "test_deletion.py::test_status_page_shows_state_and_dates_only",
        ),
        link="privacy.deletion",
        link_text="Ask us to delete your data:",
    ),
    Claim(
        "copy_request",
        "rights",
        "(access and portability, GDPR Art. 15 and 20): after you prove the account or address "
        "is yours, you download everything we hold about you as a JSON file, for "
        "{DELETION_EXPORT_WINDOW_HOURS} hours; nothing is deleted.",
        (
            P + "test_rights.py::test_copy_request_downloads_everything_and_erases_nothing",
            P + "test_rights.py::test_copy_request_completes_when_the_download_window_ends",
            P + "test_export.py::test_every_declared_column_about_an_account_owner_is_in_their_"
            "copy",
            P + "test_export.py::test_a_staff_members_copy_holds_their_posts_videos_uploads_and_"
            "actions",
            "tests/adversarial/test_data_requests.py::test_a_copy_of_someone_elses_account_is_"
            "not_given",
        ),
        link="privacy.new_request",
        link_text="Ask for a copy of your data",
        link_kind="copy",
    ),
    Claim(
        "correction_request",
        "rights",
        "(Art. 16): tell us what is wrong; after you prove the account or address is yours, we "
        "correct it and say what we did on the request's status page.",
        (P + "test_rights.py::test_correction_is_resolved_by_an_admin_with_a_note",),
        link="privacy.new_request",
        link_text="Ask us to correct your data",
        link_kind="correction",
    ),
    Claim(
        "notice_address",
        "rights",
        "Every request follows the same rules: the same proof of ownership, the same deadline, "
        "and its status page shows any extension with its reason. If you proved ownership with "
        "TikTok, you can leave an e-mail address for notices; it is erased when the request "
        "closes.",
        (
            P + "test_rights.py::test_tiktok_requester_gets_extension_notices_at_an_optional_"
            "address",
        ),
    ),
    Claim(
        "revoke",
        "rights",
        "at any time: we erase the tokens immediately.",
        (P + "test_verify.py::test_revoke_now_erases_tokens_and_confirms",),
        link="privacy.revoke",
        link_text="Revoke this service's access to your TikTok account",
    ),
    Claim(
        "tiktok_removal",
        "rights",
        "When you remove the app in TikTok's settings, TikTok tells us and we erase the tokens.",
        (P + "test_webhooks.py::test_authorization_removed_erases_tokens",),
    ),
    Claim(
        "removal_opens_request",
        "rights",
        "Removing the app in TikTok's settings also opens a deletion request for the account's "
        "data.",
        (P + "test_webhooks.py::test_removal_can_open_a_deletion_request",),
        _key("WEBHOOK_OPENS_DELETION"),
    ),
    Claim(
        "youtube_requests",
        "rights",
        "If you own a YouTube channel connected to the service, you make these requests the "
        "same way and prove the channel is yours by signing in with Google: we only ask to see "
        "your channel (its ID, name and handle, read-only), and we act only on the channel "
        "Google names for you, never on the name given in the form.",
        (
            P + "test_youtube.py::test_channel_owner_deletion_end_to_end",
            P + "test_youtube.py::test_the_handle_names_the_channel_too_and_another_channel_is_"
            "refused",
            P + "test_youtube.py::test_the_form_offers_youtube_channels_only_when_youtube_is_"
            "configured",
        ),
        youtube_enabled,
    ),
    Claim(
        "youtube_deletion",
        "rights",
        "Deleting a channel's data revokes our access at Google, then erases the channel's "
        "tokens, the posts sent to it with their videos, its performance figures and the "
        "contents of its audit entries, and deletes what we stored about the channel.",
        (P + "test_youtube.py::test_channel_owner_deletion_end_to_end",),
        youtube_enabled,
    ),
    Claim(
        "youtube_sign_in",
        "rights",
        "We revoke the sign-in you make to prove it at Google straight away, unless the "
        "channel is still connected, because revoking it could end the company's connection: "
        "for a copy or a correction we then neither revoke nor keep it, and for a deletion we "
        "keep it encrypted until the deletion revokes our access.",
        (
            P + "test_youtube.py::test_a_channel_never_connected_has_nothing_to_revoke_and_the_"
            "sign_in_ends",
            P + "test_youtube.py::test_a_copy_request_keeps_the_channel_connected",
            P + "test_youtube.py::test_channel_owner_deletion_end_to_end",
        ),
        youtube_enabled,
    ),
    Claim(
        "youtube_revoke_here",
        "rights",
        "at any time, with Google: we revoke it at Google and erase the tokens immediately.",
        (
            P + "test_youtube.py::test_the_owner_revokes_the_channels_access",
            P + "test_youtube.py::test_a_channel_never_connected_has_nothing_to_revoke_and_the_"
            "sign_in_ends",
        ),
        youtube_enabled,
        link="privacy.revoke",
        link_text="Revoke this service's access to your YouTube channel",
    ),
    Claim(
        "meta_requests",
        "rights",
        "Meta can forward a deletion request when you remove the app in Facebook or Instagram "
        "settings; you get a confirmation code and a status page. We remove our app's "
        "permissions at Meta, erase your Meta login in the service and the Pages and Instagram "
        "accounts chosen through it, with their posts and the contents of their audit entries, "
        "then search what we hold for the Meta user; the status page lists what was erased "
        "or, when we held nothing, where we looked.",
        (
            P + "test_webhooks.py::test_meta_callback_answers_with_url_and_code",
            P + "test_webhooks.py::test_meta_callback_is_off_without_a_secret",
            P + "test_meta.py::test_nothing_held_is_said_and_where_we_looked_is_listed",
            P + "test_meta.py::test_a_match_is_never_reported_as_nothing_held",
            MT + "test_callbacks.py::test_the_deletion_callback_erases_the_right_accounts_only",
        ),
        _key("META_APP_SECRET"),
    ),
    Claim(
        "deadline",
        "rights",
        "We answer within one month; in complex cases we may extend this once by up to two "
        "months and tell you why within the first month.",
        (
            P + "test_staff.py::test_one_calendar_month",
            P + "test_staff.py::test_extend_once_with_reason_within_the_first_month",
            P + "test_staff.py::test_extension_after_the_first_month_is_refused",
        ),
    ),
    Claim(
        "contact_form",
        "rights",
        "for any other question or request about your data (restriction, objection, or "
        "anything else); we keep your message for {CONTACT_RETENTION_DAYS} days.",
        (
            P + "test_contact.py::test_message_is_stored_and_delivered_to_the_operator",
            P + "test_contact.py::test_messages_are_purged_after_their_retention",
        ),
        link="privacy.contact_form",
        link_text="Write to us through the contact form",
    ),
    Claim(
        "rights_in_law",
        "rights",
        "You may ask for access to your data, a copy of it in a portable format, its "
        "correction or its deletion, and you may object to or ask us to restrict its "
        "processing. You may also complain to your data protection authority.",
        kind="law",
    ),
    Claim(
        "children",
        "statements",
        "This service is not directed at children: it is used by our staff and by the owners "
        "of the accounts we publish to, and we do not knowingly process children's data.",
        (P + "test_claims.py::test_optional_statements_follow_the_configuration",),
    ),
    Claim(
        "ai_content",
        "statements",
        "The videos we publish are generated or edited with AI, and every one is labeled as "
        "AI-generated with each platform's synthetic-content disclosure: direct posts carry "
        "TikTok's AI-generated content label, YouTube uploads declare synthetic media, and "
        "for drafts finished in the TikTok app the post page reminds our staff to switch "
        "TikTok's label on.",
        (
            "tests/posts/test_direct.py::test_direct_post_is_published_with_the_chosen_settings",
            "tests/posts/test_ai_label.py::test_the_setting_labels_every_direct_post",
            "tests/posts/test_ai_label.py::test_drafts_show_the_label_as_a_to_do",
            "tests/posts/test_ai_label.py::test_youtube_uploads_declare_synthetic_media",
        ),
        _key("OPERATOR_AI_CONTENT"),
    ),
)


def cookies(config: Config) -> list[dict[str, str]]:
    """Every cookie the service may set (the cookie test compares a full run against it)."""
    days = int(config["REMEMBER_COOKIE_DURATION"]) // 86400
    return [
        {
            "name": str(config.get("SESSION_COOKIE_NAME") or "session"),
            "purpose": "Set only by pages with a form: the form's security token, the staff "
            "sign-in, and the progress of a data request or a TikTok sign-in.",
            "lifetime": "Until you close the browser.",
        },
        {
            "name": str(config.get("REMEMBER_COOKIE_NAME") or "remember_token"),
            "purpose": "Keeps a staff member signed in when they choose “keep me signed in”.",
            "lifetime": f"{days} days.",
        },
        {
            "name": devices.cookie_name(config),
            "purpose": "Set after a staff sign-in: lets that browser keep signing in while "
            "strangers' failed attempts lock the account for everyone else. It names the "
            "account only as a keyed digest and grants no access by itself.",
            "lifetime": f"{devices.LIFETIME // 86400} days.",
        },
    ]


COOKIE_PROOFS = (P + "test_claims.py::test_cookies_of_a_full_run_are_declared",)

# What proves each dataset's and store's retention and erasure (inventory.py).
INVENTORY_PROOFS: dict[str, tuple[str, ...]] = {
    "staff_accounts": (
        "tests/auth/test_staff_lifecycle.py::test_admin_deletes_a_staff_account",
        "tests/auth/test_staff_lifecycle.py::test_cli_delete_user",
    ),
    "staff_credentials": ("tests/auth/test_login.py::test_password_change_ends_other_sessions",),
    "staff_sessions": ("tests/auth/test_login.py::test_logout_invalidates_copied_cookie",),
    "tiktok_profile": (
        P + "test_execute.py::test_owner_request_erases_account_tokens_videos_posts",
    ),
    "tiktok_tokens": (
        P + "test_retention.py::test_tokens_past_the_refresh_expiry_are_erased",
        P + "test_backup.py::test_restored_backup_forgets_revoked_tokens",
    ),
    "oauth_flows": ("tests/platforms/tiktok/test_disconnect.py::test_purge_old_flows",),
    "videos": (
        P + "test_retention.py::test_expired_video_files_are_removed",
        P + "test_retention.py::test_video_records_stay_while_a_post_refers_to_them",
    ),
    "posts": (P + "test_execute.py::test_owner_request_erases_account_tokens_videos_posts",),
    "caption_templates": (
        "tests/posts/test_presets.py::test_only_the_author_or_an_admin_may_change_a_template",
        "tests/posts/test_presets.py::test_a_deleted_authors_templates_stay_without_their_address",
    ),
    "post_upload_urls": (P + "test_completeness.py::test_nothing_of_the_subject_remains_anywhere",),
    "metrics": (
        "tests/metrics/test_snapshot.py::"
        "test_snapshots_are_erased_with_the_account_and_after_retention",
        "tests/metrics/test_meta.py::test_a_meta_deletion_request_erases_the_snapshots",
        "tests/metrics/test_retention.py::"
        "test_youtube_videos_not_refreshed_within_30_days_are_deleted_with_their_titles",
    ),
    "audit_payloads": (
        "tests/audit/test_chain.py::test_erased_payloads_still_verify",
        "tests/audit/test_retention.py::test_flask_purge_drops_and_audit_verify_says_from_where",
        P + "test_unconnected.py::test_revoking_without_a_connected_account_is_purged_after_the_"
        "stated_period",
        P + "test_unconnected.py::test_a_failed_name_check_is_erased_on_request",
    ),
    "audit_actors": (
        P + "test_summaries.py::test_audit_summaries_hold_no_personal_data",
        "tests/audit/test_retention.py::test_flask_purge_drops_and_audit_verify_says_from_where",
    ),
    "deletion_requests": (
        P + "test_retention.py::test_dry_run_shows_and_purge_deletes",
        P + "test_retention.py::test_old_receipts_are_deleted",
        P + "test_rights.py::test_correction_is_resolved_by_an_admin_with_a_note",
    ),
    "deletion_secrets": (
        P + "test_deletion.py::test_request_gets_a_long_code_stored_only_as_a_hash",
    ),
    "deletion_browsers": (
        P + "test_retention.py::test_expired_links_and_browser_holds_are_purged",
        "tests/adversarial/test_deletion_links.py::test_link_tokens_and_codes_are_stored_only_hashed",
    ),
    "webhook_deliveries": (P + "test_retention.py::test_dry_run_shows_and_purge_deletes",),
    "contact_messages": (P + "test_contact.py::test_messages_are_purged_after_their_retention",),
    "uploads": (P + "test_retention.py::test_expired_video_files_are_removed",),
    "logs": (
        "tests/site/test_logging.py::test_app_log_file_rotates_daily_and_keeps_the_declared_days",
    ),
    "rate_limits": (
        "tests/site/test_logging.py::test_rate_limit_counters_expire_with_their_window",
    ),
    "outbox": (
        P + "test_retention.py::test_dry_run_shows_and_purge_deletes",
        P + "test_completeness.py::test_nothing_of_the_subject_remains_anywhere",
        P + "test_completeness.py::test_with_a_mail_server_the_receipt_says_no_copy_is_kept",
    ),
    "ledger": (
        P + "test_backup.py::test_ledger_holds_internal_ids_only_and_purge_drops_old_entries",
    ),
    "backups": (P + "test_backup.py::test_restored_backup_forgets_a_deletion_again",),
}


class _Filled(dict):
    def __init__(self, config: Config) -> None:
        super().__init__(country=config.get("OPERATOR_COUNTRY") or "the country we are based in")
        self.config = config

    def __missing__(self, key: str) -> str:
        return str(self.config[key])


def rendered(config: Config) -> dict[str, list[dict[str, str | None]]]:
    """The claims that hold for ``config``, by section, with their texts filled in."""
    sections: dict[str, list[dict[str, str | None]]] = {}
    for claim in CLAIMS:
        if claim.when(config):
            text = claim.text.format_map(_Filled(config))
            entry = {
                "key": claim.key,
                "text": text,
                "link": claim.link,
                "link_text": claim.link_text,
                "link_kind": claim.link_kind,
            }
            sections.setdefault(claim.section, []).append(entry)
    return sections


def by_key() -> dict[str, Claim]:
    """The registry by claim key."""
    return {claim.key: claim for claim in CLAIMS}
