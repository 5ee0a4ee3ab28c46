"""Caption and hashtag rules: UTF-16 length, normalised hashtags, the 2200 limit."""

from __future__ import annotations

import pytest

from studio.posts.captions import (
    MAX_TITLE_UTF16,
    compose_title,
    normalise_hashtags,
    title_problem,
    utf16_length,
)
from tests.posts.conftest import prepare


@pytest.mark.parametrize(
    ("text", "units"),
    [("abc", 3), ("é", 1), ("日本", 2), ("🎉", 2), ("👍🏽", 4), ("👨‍👩‍👧", 8), ("", 0)],
)
def test_utf16_length_counts_code_units(text, units):
    assert utf16_length(text) == units


def test_hashtags_prefixed_without_spaces_and_deduplicated():
    assert normalise_hashtags("sale, #New  #SALE;new summer-time ##x") == [
        "#sale",
        "#New",
        "#summertime",
        "#x",
    ]


def test_hashtags_already_in_the_caption_are_not_repeated():
    assert normalise_hashtags("Kettle, tea", caption="Meet our #kettle") == ["#tea"]


def test_hashtags_keep_letters_of_any_script():
    assert normalise_hashtags("café 日本 émoji🎉") == ["#café", "#日本", "#émoji"]


def test_title_joins_caption_and_tags():
    assert compose_title(" Hello ", ["#a", "#b"]) == "Hello\n\n#a #b"
    assert compose_title("", ["#a"]) == "#a"
    assert compose_title("Hi", []) == "Hi"


def test_limit_counts_emoji_as_two():
    assert title_problem("a" * MAX_TITLE_UTF16) is None
    assert title_problem("🎉" * (MAX_TITLE_UTF16 // 2)) is None
    problem = title_problem("🎉" * (MAX_TITLE_UTF16 // 2) + "a")
    assert problem and "2201" in problem


def test_prepare_rejects_a_caption_over_the_limit(app, sandbox_client, account, video):
    response = prepare(sandbox_client, video.id, account.id, caption="🎉" * 1100, hashtags="x")
    assert response.status_code == 400
    assert "the limit is 2200" in response.get_data(as_text=True)


def test_prepare_shows_normalised_hashtags(app, sandbox_client, account, video):
    response = prepare(sandbox_client, video.id, account.id, caption="Tea", hashtags="a, #A b")
    assert response.status_code == 200
    assert "Tea\n\n#a #b" in response.get_data(as_text=True)
