"""Operations commands that are not tied to one room."""

from __future__ import annotations

from studio.cli import sandbox_redirect_uris


def test_sandbox_accepts_the_demo_under_both_local_names() -> None:
    assert sandbox_redirect_uris("http://127.0.0.1:5000") == [
        "http://127.0.0.1:5000/tiktok/callback",
        "http://127.0.0.1:5000/privacy/verify/callback",
        "http://localhost:5000/tiktok/callback",
        "http://localhost:5000/privacy/verify/callback",
    ]


def test_sandbox_registers_a_public_url_once() -> None:
    assert sandbox_redirect_uris("https://studio.example.com") == [
        "https://studio.example.com/tiktok/callback",
        "https://studio.example.com/privacy/verify/callback",
    ]
