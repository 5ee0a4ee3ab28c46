"""Connecting a channel through the app: Google's flow against the sandbox, real HTTP and DB."""

from __future__ import annotations

from sqlalchemy import select

from studio import db, vault
from studio.platforms.grants import read_token
from studio.platforms.models import Account, AccountStatus, OAuthFlow
from studio.platforms.oauth import s256_challenge
from tests.conftest import AuthActions
from tests.platforms.youtube.app_support import (
    APP_REDIRECT,
    BRAND_ID,
    SECOND_ID,
    connect_youtube,
    consent,
    query,
    start,
)
from tests.platforms.youtube.support import SCOPE_LIST


def _accounts(app) -> list[Account]:
    with app.app_context():
        return list(db.session.scalars(select(Account).order_by(Account.id)))


def test_consent_url_asks_exactly_what_is_needed(yt_app, yt_admin):
    params = query(start(yt_admin))
    assert params["redirect_uri"] == APP_REDIRECT and params["response_type"] == "code"
    assert params["scope"].split() == SCOPE_LIST  # youtube.upload + youtube.readonly, no more
    assert params["access_type"] == "offline" and params["code_challenge_method"] == "S256"
    assert params["prompt"] == "consent"  # no refresh token is held yet
    assert "client_secret" not in params and len(params["state"]) >= 32
    with yt_app.app_context():
        flow = db.session.scalars(select(OAuthFlow)).one()
        assert flow.platform == "youtube" and flow.redirect_uri == APP_REDIRECT
        assert params["state"] not in flow.state_hash  # stored hashed only
        verifier = vault.unwrap(flow.verifier_enc).decode()
        assert s256_challenge(verifier) == params["code_challenge"]


def test_connect_end_to_end_stores_the_channel_and_shows_it(yt_app, yt_admin, browser):
    answer = connect_youtube(yt_admin, browser)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/youtube/")
    (account,) = _accounts(yt_app)
    assert (account.platform, account.remote_id) == ("youtube", BRAND_ID)
    assert (account.display_name, account.handle) == ("Acme Studio", "@acmestudio")
    assert account.avatar_url and "/avatar/brand.svg" in account.avatar_url
    assert account.scope_list == SCOPE_LIST and account.status == AccountStatus.CONNECTED
    assert account.access_expires_at is not None and account.refresh_token_enc
    page = yt_admin.get("/youtube/").get_data(as_text=True)
    for shown in ("Acme Studio", "@acmestudio", "Upload videos to the channel", "connected"):
        assert shown in page
    assert "Access token expires" in page and BRAND_ID in page
    with yt_app.app_context():
        account = db.session.get(Account, account.id)
        assert read_token(account) not in page and read_token(account, "refresh") not in page


def test_a_second_sign_in_keeps_the_refresh_token_and_skips_the_prompt(yt_app, yt_admin, browser):
    assert connect_youtube(yt_admin, browser).status_code == 303
    (first,) = _accounts(yt_app)
    with yt_app.app_context():
        kept = read_token(db.session.get(Account, first.id), "refresh")
    url = start(yt_admin)
    assert "prompt" not in query(url)  # a refresh token is held: no forced consent
    answer = yt_admin.get(consent(browser, url))  # Google sends no new refresh token
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/youtube/")
    (again,) = _accounts(yt_app)
    with yt_app.app_context():
        assert read_token(db.session.get(Account, again.id), "refresh") == kept
    assert again.data_key != first.data_key  # a reconnect never reuses the old key


def test_a_channel_without_a_held_refresh_token_is_asked_for_consent_again(
    yt_app, yt_admin, browser
):
    assert connect_youtube(yt_admin, browser, "second").status_code == 303
    assert connect_youtube(yt_admin, browser, "brand").status_code == 303
    with yt_app.app_context():  # the second channel's tokens are gone here, not at Google
        second = db.session.scalar(select(Account).where(Account.remote_id == SECOND_ID))
        second.refresh_token_enc = None
        second.status = AccountStatus.NEEDS_RECONNECT
        db.session.commit()
    url = start(yt_admin)
    assert "prompt" not in query(url)  # "brand" still holds one
    answer = yt_admin.get(consent(browser, url, "second"))  # Google: no refresh token again
    assert answer.status_code == 303
    assert query(answer.headers["Location"])["prompt"] == "consent"
    done = yt_admin.get(consent(browser, answer.headers["Location"], "second"))
    assert done.status_code == 303 and done.headers["Location"].endswith("/youtube/")
    with yt_app.app_context():
        second = db.session.scalar(select(Account).where(Account.remote_id == SECOND_ID))
        assert second.status == AccountStatus.CONNECTED and read_token(second, "refresh")


def test_denied_consent_connects_nothing(yt_app, yt_admin, browser):
    answer = yt_admin.get(consent(browser, start(yt_admin), decision="deny"))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/youtube/")
    assert "nothing was connected" in yt_admin.get("/youtube/").get_data(as_text=True)
    assert _accounts(yt_app) == []


def test_an_unticked_permission_is_refused_with_a_clear_page(yt_app, yt_admin, browser):
    answer = yt_admin.get(consent(browser, start(yt_admin), granted=SCOPE_LIST[:1]))
    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert "Permissions missing" in page and "see the channel" in page
    assert "leave every box ticked" in page
    assert _accounts(yt_app) == []


def test_a_google_account_without_a_channel_is_refused(yt_app, yt_admin, browser):
    answer = yt_admin.get(consent(browser, start(yt_admin), "nochannel"))
    assert answer.status_code == 400 and "no YouTube channel" in answer.get_data(as_text=True)
    assert _accounts(yt_app) == []


def test_replayed_and_foreign_answers_are_ignored(yt_app, yt_admin, browser, users):
    callback = consent(browser, start(yt_admin))
    assert yt_admin.get(callback).status_code == 303
    replay = yt_admin.get(callback)
    assert replay.status_code == 400 and "not recognised" in replay.get_data(as_text=True)
    # Another admin browser (signed in separately) cannot finish this browser's sign-in.
    callback = consent(browser, start(yt_admin))
    other = yt_app.test_client()
    assert AuthActions(yt_app, other).login().status_code == 302
    foreign = other.get(callback)
    assert foreign.status_code == 400 and "not recognised" in foreign.get_data(as_text=True)
    # A made-up state, and none at all.
    assert yt_admin.get("/youtube/callback?state=forged&code=4/0Ax").status_code == 400
    assert yt_admin.get("/youtube/callback?code=4/0Ax").status_code == 400
    assert len(_accounts(yt_app)) == 1
