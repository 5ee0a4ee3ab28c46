"""Caption and hashtag rules: TikTok counts UTF-16 code units; hashtags are normalised."""

from __future__ import annotations

import re
import unicodedata

MAX_TITLE_UTF16 = 2200
MAX_HASHTAG_CHARS = 100
# TikTok ends a hashtag at whitespace or punctuation; letters (any script), digits, the
# underscore and combining marks belong to it.
_SEPARATORS = re.compile(r"[\s,;#]+")
_TAG_CHARS = re.compile(r"[^\w]", re.UNICODE)
_CAPTION_TAGS = re.compile(r"#(\w+)", re.UNICODE)


def utf16_length(text: str) -> int:
    """Length as TikTok counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def normalise_hashtags(raw: str, caption: str = "") -> list[str]:
    """`"sale, #New  #sale"` → `["#sale", "#New"]`: `#`-prefixed, no spaces, deduplicated.

    Duplicates are found case-insensitively (TikTok treats #Sale and #sale as one tag), the
    first spelling wins, and tags already written in the caption are not repeated.
    """
    seen = {tag.casefold() for tag in _CAPTION_TAGS.findall(caption or "")}
    tags: list[str] = []
    for piece in _SEPARATORS.split(unicodedata.normalize("NFC", raw or "")):
        word = _TAG_CHARS.sub("", piece)[:MAX_HASHTAG_CHARS]
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            tags.append(f"#{word}")
    return tags


def compose_title(caption: str, hashtags: list[str]) -> str:
    """The text TikTok shows: the caption, a blank line, then the hashtags."""
    body = (caption or "").strip()
    tags = " ".join(hashtags)
    if body and tags:
        return f"{body}\n\n{tags}"
    return body or tags


def title_problem(title: str) -> str | None:
    """Why TikTok would refuse this title, or None."""
    if "\x00" in title:
        return "The caption contains a NUL character."
    length = utf16_length(title)
    if length > MAX_TITLE_UTF16:
        return (
            f"Caption and hashtags together are {length} characters as TikTok counts them "
            f"(emoji count as 2); the limit is {MAX_TITLE_UTF16}."
        )
    return None
