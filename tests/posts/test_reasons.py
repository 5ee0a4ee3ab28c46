"""TikTok's fail_reason in plain words, retry only where it can help."""

from __future__ import annotations

from studio.platforms.models import DeliveryStatus
from studio.platforms.tiktok.reasons import FAIL_REASONS, explain
from tests.helpers import extract_csrf
from tests.posts.conftest import drive, make_post


def test_every_documented_fail_reason_has_plain_words():
    for code in (
        "file_format_check_failed",
        "duration_check_failed",
        "frame_rate_check_failed",
        "picture_size_check_failed",
        "internal",
        "video_pull_failed",
        "publish_cancelled",
        "auth_removed",
        "spam_risk_too_many_posts",
        "spam_risk_user_banned_from_posting",
        "spam_risk_text",
        "spam_risk",
    ):
        assert "_" not in FAIL_REASONS[code].text and FAIL_REASONS[code].text.endswith(".")
    assert "something_new" in explain("something_new").text


REASON_CASES = [
    ("picture_size_check_failed", "360–4096 pixels", False),
    ("spam_risk_text", "Reword it", False),
    ("internal", "internal problem", True),
]


def test_failure_is_explained(app, sandbox, sandbox_client, account, video):
    for reason, words, retryable in REASON_CASES:
        sandbox.configure(fail_reason=reason)
        post = drive(app, make_post(app, video, account))
        assert post.status == DeliveryStatus.FAILED
        assert post.fail_reason == reason and post.retryable is retryable
        page = sandbox_client.get(f"/posts/{post.post_id}").get_data(as_text=True)
        assert words in page
        assert (">Try again</button>" in page) is retryable


def test_retry_after_tiktok_failure_starts_a_fresh_upload(
    app, sandbox, sandbox_client, account, video
):
    sandbox.configure(fail_reason="internal")
    post = drive(app, make_post(app, video, account))
    first = post.remote_id
    sandbox.configure(fail_reason=None)
    token = extract_csrf(sandbox_client.get(f"/posts/{post.post_id}").get_data(as_text=True))
    assert (
        sandbox_client.post(f"/posts/{post.post_id}/retry", data={"csrf_token": token}).status_code
        == 302
    )
    post = drive(app, post.post_id)
    assert post.status == DeliveryStatus.IN_INBOX and post.remote_id != first
