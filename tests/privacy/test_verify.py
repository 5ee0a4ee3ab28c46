"""Proving ownership with TikTok: the signed-in account must be the one named."""

from __future__ import annotations

from sqlalchemy import select

from studio import db
from studio.platforms.models import Account, AccountStatus
from studio.privacy.models import DeletionRequest, RequestStatus
from tests.privacy.conftest import file_request, verify_with_tiktok


def _request(app) -> DeletionRequest:
    with app.app_context():
        return db.session.scalar(select(DeletionRequest))


def test_owner_verifies_and_sees_download_and_delete(app, client, connected_account, sandbox):
    code, page = file_request(client)
    assert "Verify with TikTok" in page
    response = verify_with_tiktok(client, sandbox)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/data-deletion/verified")
    page = client.get("/data-deletion/verified").get_data(as_text=True)
    assert "Download my data" in page and "Delete my data now" in page
    req = _request(app)
    assert req.status == RequestStatus.VERIFIED and req.account_id == connected_account.id
    status = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "verified" in status and "Acme" not in status


def test_other_account_is_refused_and_nothing_is_revealed(app, client, connected_account, sandbox):
    code, _ = file_request(client, name="Acme Studio")
    response = verify_with_tiktok(client, sandbox, creator="quiet")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "not the account named" in page
    assert connected_account.remote_id not in page
    assert _request(app).status == RequestStatus.RECEIVED
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.CONNECTED and account.data_key
    assert client.get("/data-deletion/verified").status_code == 403
    assert client.get("/data-deletion/export").status_code == 403


def test_same_answers_whether_or_not_we_hold_the_account(app, client, sandbox):
    """Nobody connected: verifying still works and looks the same; nothing is revealed."""
    code, page = file_request(client, name="Quiet Lab (private)")
    response = verify_with_tiktok(client, sandbox, creator="quiet")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/data-deletion/verified")
    assert _request(app).account_id is None


def test_denied_consent_changes_nothing(app, client, sandbox):
    file_request(client)
    response = verify_with_tiktok(client, sandbox, decision="deny")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You cancelled" in page and "nothing was connected or changed" in page
    assert "Traceback" not in page
    assert _request(app).status == RequestStatus.RECEIVED


def test_verification_token_is_revoked_when_not_a_connected_account(app, client, sandbox):
    file_request(client, name="Quiet Lab (private)")
    verify_with_tiktok(client, sandbox, creator="quiet")
    assert sandbox.state.summary()["counters"]["revokes"] == 1
    assert all(token.revoked for token in sandbox.state.access.values())


def test_revoke_now_erases_tokens_and_confirms(app, client, connected_account, sandbox):
    response = verify_with_tiktok(client, sandbox, start_url="/revoke")
    assert response.status_code == 303 and response.headers["Location"].endswith("/revoke/done")
    page = client.get("/revoke/done").get_data(as_text=True)
    assert "Access revoked" in page and "Acme" not in page
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.DISCONNECTED
        assert account.access_token_enc is None and account.refresh_token_enc is None
    assert all(token.revoked for token in sandbox.state.access.values())


def test_revoke_says_what_it_found(app, client, connected_account, sandbox):
    """The verified owner learns whether there was anything to revoke (only about their own
    account: TikTok proved it is theirs)."""
    response = verify_with_tiktok(client, sandbox, creator="quiet", start_url="/revoke")
    assert response.headers["Location"].endswith("/revoke/done")
    page = client.get("/revoke/done").get_data(as_text=True)
    assert "never connected" in page and "Access revoked" not in page
    verify_with_tiktok(client, sandbox, start_url="/revoke")
    assert "Access revoked" in client.get("/revoke/done").get_data(as_text=True)
    verify_with_tiktok(client, sandbox, start_url="/revoke")
    page = client.get("/revoke/done").get_data(as_text=True)
    assert "already disconnected" in page and "Access revoked" not in page
    assert "Nothing to revoke" not in client.get("/revoke/done").get_data(as_text=True)


def test_after_the_owner_revokes_the_account_page_names_the_owner(
    app, client, sandbox_client, connected_account, sandbox
):
    """TikTok echoes our revocation as "reason 5" (the developer); the owner did it."""
    from studio.audit import Actor
    from studio.platforms.tiktok import services as tiktok
    from studio.platforms.tiktok import webhooks as tiktok_webhooks

    verify_with_tiktok(client, sandbox, start_url="/revoke")
    # as the webhook says
    echo = f"authorization removed at TikTok: {tiktok_webhooks.REMOVAL_REASONS[5]}"
    with app.app_context():
        tiktok.grant_removed(db.session, connected_account.remote_id, echo, Actor.webhook("tiktok"))
    page = sandbox_client.get("/tiktok/").get_data(as_text=True)
    assert "revoked by the account owner" in page
    assert "developer" not in page


def test_callback_without_a_flow_is_refused(client):
    response = client.get("/privacy/verify/callback?code=abc&state=forged")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
