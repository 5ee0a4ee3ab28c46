"""The privacy policy is rendered from the inventory and dated by its last change."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from studio import db
from studio.privacy import inventory
from studio.privacy.models import PolicyVersion


def _versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(PolicyVersion.id)))


def test_policy_lists_every_dataset_and_field(app, client):
    page = client.get("/privacy").get_data(as_text=True)
    readable, appendix = page.split('<details id="appendix"')
    for ds in inventory.DATASETS:
        assert ds.title in readable
        for column in ds.columns:
            assert column in appendix and column not in readable
    for store in inventory.STORES:
        assert store.title in page
    assert re.search(r"Last updated: <time datetime=\"\d{4}-\d{2}-\d{2}\">", page)


def test_policy_shows_operator_third_parties_rights_and_contact(make_app):
    app = make_app(OPERATOR_NAME="Acme Widgets GmbH", OPERATOR_EMAIL="dpo@acme.test")
    page = app.test_client().get("/privacy").get_data(as_text=True)
    assert "Acme Widgets GmbH" in page and "dpo@acme.test" in page
    assert 'data-platform="TikTok"' in page and 'data-platform="Meta' not in page
    assert "Google" not in page
    for heading in ("Who is responsible", "Security", "Your rights", "Contact"):
        assert heading in page
    assert 'href="/data-deletion"' in page and 'href="/revoke"' in page


def test_a_platform_appears_exactly_when_configured_and_its_code_exists(make_app):
    from studio.privacy.policy import PLATFORMS

    # No Instagram or YouTube code exists: these old switches list nobody.
    app = make_app(META_ENABLED=True, GOOGLE_ENABLED=True)
    page = app.test_client().get("/privacy").get_data(as_text=True)
    assert 'data-platform="Meta' not in page and "Google" not in page and "YouTube" not in page
    # Meta's deletion callback exists, and is on when its secret is configured.
    meta = make_app(META_APP_SECRET="meta-secret").test_client().get("/privacy")
    assert 'data-platform="Meta (Facebook, Instagram)"' in meta.get_data(as_text=True)
    for platform in PLATFORMS:
        assert callable(platform.code) and platform.code.__module__.startswith("studio.")


def test_the_youtube_section_appears_exactly_when_youtube_is_configured(make_app):
    plain = make_app().test_client().get("/privacy").get_data(as_text=True)
    assert "YouTube" not in plain and "Google" not in plain
    app = make_app(YOUTUBE_CLIENT_ID="id.apps.googleusercontent.com", YOUTUBE_CLIENT_SECRET="s")
    page = app.test_client().get("/privacy").get_data(as_text=True)
    assert 'data-platform="Google (YouTube)"' in page and 'id="youtube"' in page
    assert "Google API Services User Data Policy" in page and "Limited Use" in page
    assert "https://myaccount.google.com/permissions" in page
    for stored in ("channel&#39;s ID", "title", "handle", "picture address", "encrypted"):
        assert stored in page
    for key in ("youtube_user_data", "youtube_scopes", "youtube_stored", "youtube_retention"):
        assert f'data-claim="{key}"' in page


def test_the_meta_section_appears_exactly_when_meta_is_configured(make_app):
    plain = make_app().test_client().get("/privacy").get_data(as_text=True)
    assert 'id="meta"' not in plain and "Meta Platform Terms" not in plain
    app = make_app(META_APP_ID="1234567890123456", META_APP_SECRET="s")
    page = app.test_client().get("/privacy").get_data(as_text=True)
    assert 'data-platform="Meta (Facebook, Instagram)"' in page and 'id="meta"' in page
    assert "Meta Platform Terms" in page and "https://developers.facebook.com/terms/" in page
    assert "https://www.facebook.com/settings/?tab=business_tools" in page
    for stored in ("app-scoped ID", "Instagram username", "long-lived access token", "encrypted"):
        assert stored in page
    for key in ("meta_terms", "meta_scopes", "meta_stored", "meta_retention", "meta_revoke"):
        assert f'data-claim="{key}"' in page


def test_policy_capitalises_legal_words(client):
    text = re.sub(r"<[^>]+>", " ", client.get("/privacy").get_data(as_text=True))
    assert "GDPR Art. 6(1)(b)" in text and "gdpr art." not in text.replace("GDPR Art.", "")
    assert re.search(r"\btiktok\b", text) is None


def test_version_recorded_once_while_content_is_unchanged(app, client):
    client.get("/privacy")
    client.get("/privacy")
    assert _versions(app) == 1


def test_changed_content_gets_a_new_dated_version(make_app):
    first = make_app()
    first.test_client().get("/privacy")
    second = make_app(OPERATOR_ADDRESS="2 New Street, Other City")
    page = second.test_client().get("/privacy").get_data(as_text=True)
    assert "2 New Street" in page
    assert _versions(second) == 2
    with second.app_context():
        latest = db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.id.desc()))
    assert latest.recorded_at.strftime("%d %B %Y") in page


def test_policy_is_printable(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "data-print" in page and "privacy-pages.js" in page


def test_policy_speaks_plainly_with_the_database_fields_behind_details(client):
    html = client.get("/privacy").get_data(as_text=True)
    before_details = html.split("<details")[0]
    assert "users.email" in html and "users.email" not in before_details
    assert "Stored fields" not in html
    assert "(GDPR Art. 6(1)(b))" in html  # capitalising the first letter keeps the rest
