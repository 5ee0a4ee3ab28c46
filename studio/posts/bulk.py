"""Working in bulk: what a duplicated post carries over to the prepare form."""

from __future__ import annotations

from typing import Any

from studio.posts.models import Post


def copied_fields(post: Post | None) -> dict[str, Any]:
    """The prepare form's fields taken from ``post`` (video, caption, hashtags, product, AI
    flag); targets, consent and approval are chosen afresh."""
    if post is None:
        return {}
    return {
        "video_id": post.video_id,
        "caption": post.caption,
        "hashtags": " ".join(post.hashtags or []),
        "product_name": post.product_name,
        "product_sku": post.product_sku,
        "is_aigc": post.is_aigc,
    }
