"""E-mail normal form and look-alike skeletons; passwords built from context words."""

from __future__ import annotations

import pytest

from studio.auth import emails
from studio.auth.passwords import context_words, policy_problems

NAMES = ["Example Company Ltd.", "privacy@example.com", "https://example.com"]


@pytest.mark.parametrize(
    "given,normal",
    [
        (" Admin@Example.COM ", "admin@example.com"),
        ("\uff41\uff44\uff4d\uff49\uff4e@example.com", "admin@example.com"),
        ("bob@B\u00fccher.example", "bob@xn--bcher-kva.example"),
    ],
)
def test_normal_form(given, normal):
    assert emails.normalise(given) == normal


@pytest.mark.parametrize(
    "bad", ["no-at-sign", "@example.com", "a@", "a b@example.com", "a@b\u200b.c"]
)
def test_invalid_addresses(bad):
    with pytest.raises(emails.EmailError):
        emails.normalise(bad)


@pytest.mark.parametrize(
    "look_alike",
    ["\u0430dmin@example.com", "adm\u0456n@example.com", "admin@ex\u0430mple.com"],
)
def test_look_alikes_share_a_skeleton(look_alike):
    assert emails.skeleton(look_alike) == emails.skeleton("admin@example.com")


@pytest.mark.parametrize("other", ["admins@example.com", "adam@example.com", "admin@example.org"])
def test_different_addresses_have_different_skeletons(other):
    assert emails.skeleton(other) != emails.skeleton("admin@example.com")


def test_context_words_cover_service_operator_and_address():
    words = context_words("jane.doe@acme-corp.example", NAMES)
    for word in ("social", "studio", "company", "example", "jane", "janedoe", "acme", "corp"):
        assert word in words


@pytest.mark.parametrize(
    "password",
    ["SocialStudio2025!!", "S0c1al$tud10-2025!!", "Jane.Doe.2025.Jane!", "AcmeCorp#2025-AcmeCorp"],
)
def test_context_passwords_refused(password):
    (problem,) = policy_problems(password, "jane.doe@acme-corp.example", NAMES)
    assert "built from the name of this service, the company or your e-mail" in problem


@pytest.mark.parametrize(
    "password",
    [
        "correct horse studio battery staple",  # a context word among strong words of one's own
        "violet tangerine rowboat cathedral",
        "plum cactus lantern voyage",
    ],
)
def test_strong_passwords_still_accepted(password):
    assert policy_problems(password, "jane.doe@acme-corp.example", NAMES) == []
