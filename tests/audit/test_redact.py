"""Redaction: secrets by key, in forms, URLs, JSON inside strings, headers, and by value."""

from __future__ import annotations

import json

import pytest

from studio.audit.redact import MASK, Redactor, is_secret_key, redact


@pytest.mark.parametrize(
    "name",
    [
        "access_token",
        "refresh_token",
        "code",
        "code_verifier",
        "client_secret",
        "upload_token",
        "Authorization",
        "Cookie",
        "Set-Cookie",
        "TikTok-Signature",
        "password",
        "sig",
        "X-Amz-Signature",
        "upload_id",
        "X-GUploader-UploadID",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_key(name)


@pytest.mark.parametrize(
    "name", ["token_type", "expires_in", "open_id", "client_key", "scope", "state", "uploadType"]
)
def test_harmless_names(name: str) -> None:
    assert not is_secret_key(name)


def test_nested_keys_and_lists() -> None:
    data = {"a": [{"access_token": "act.one-two-three"}, {"x": {"refresh_token": "rft.zzzzzz"}}]}
    assert redact(data) == {"a": [{"access_token": MASK}, {"x": {"refresh_token": MASK}}]}


def test_form_body_keeps_harmless_fields() -> None:
    body = "client_key=ck&client_secret=s3cr3t-value&code=AUTHCODE1&grant_type=authorization_code"
    out = redact(body)
    assert "s3cr3t-value" not in out and "AUTHCODE1" not in out
    assert "client_key=ck" in out and "grant_type=authorization_code" in out


def test_upload_url_loses_its_token_and_upload_id() -> None:
    url = "https://open-upload.tiktokapis.com/video/?upload_id=67890&upload_token=Xza123secret"
    out = redact({"upload_url": url})["upload_url"]
    assert "Xza123secret" not in out and "67890" not in out
    assert out.startswith("https://open-upload.tiktokapis.com/video/?upload_id=")


def test_signed_media_url_loses_its_signature_not_its_expiry() -> None:
    out = redact("https://media.example.com/v/1.mp4?expires=1700000000&sig=abcdef123456")
    assert "abcdef123456" not in out and "expires=1700000000" in out


def test_json_inside_a_string() -> None:
    content = json.dumps({"user_openid": "u1", "access_token": "plainsecretvalue"})
    out = redact({"content": content})
    assert "plainsecretvalue" not in out["content"] and "u1" in out["content"]


def test_bearer_header_keeps_its_scheme() -> None:
    out = redact({"Authorization": "Bearer act.abcdefgh"})
    assert out == {"Authorization": f"Bearer {MASK}"}


def test_tiktok_error_code_is_kept() -> None:
    body = {"data": {}, "error": {"code": "access_token_invalid", "message": "x", "log_id": "L1"}}
    assert redact(body) == body


def test_value_pass_catches_a_secret_under_a_harmless_key() -> None:
    redactor = Redactor()
    out = redactor(
        {
            "request": {"body": {"refresh_token": "opaque-refresh-value"}},
            "response": {"echo": "you sent opaque-refresh-value"},
        }
    )
    assert "opaque-refresh-value" not in json.dumps(out)


def test_known_values_and_token_shapes_anywhere() -> None:
    out = redact(
        {"note": "secret is configured-client-secret; token act.12345678"},
        known=["configured-client-secret"],
    )
    assert "configured-client-secret" not in out["note"] and "act.12345678" not in out["note"]


def test_secret_query_params_inside_free_text() -> None:
    text = "Max retries exceeded with url: /video/?upload_id=1&upload_token=Xyz987654 (Caused by"
    assert "Xyz987654" not in redact(text)


def test_truncated_json_still_loses_its_secrets() -> None:
    text = '{"access_token": "opaque123456", "open_id": "u", "refresh_tok'
    assert "opaque123456" not in redact(text)


def test_short_values_are_not_replaced_everywhere() -> None:
    out = Redactor()({"code": "a", "text": "banana"})
    assert out == {"code": MASK, "text": "banana"}
