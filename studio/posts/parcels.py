"""The parcel a delivery's platform receives: the post's file and words, read once."""

from __future__ import annotations

from studio.platforms.models import Delivery, Source
from studio.platforms.sending import Parcel
from studio.posts import captions, media
from studio.posts.models import Post
from studio.videos.storage import video_path


def parcel(post: Post, delivery: Delivery) -> Parcel:
    """What `delivery`'s platform sends: never more than the post staff consented to."""
    video = post.video
    pull = delivery.source == Source.PULL_FROM_URL
    return Parcel(
        post_id=post.id,
        path=video_path(video) if video.has_file else None,
        content_type=video.content_type,
        content_hash=video.content_hash,
        caption=post.caption,
        hashtags=list(post.hashtags or []),
        title=captions.compose_title(post.caption, list(post.hashtags or [])),
        is_aigc=post.is_aigc,
        duration_s=video.duration_s,
        width=video.width,
        height=video.height,
        fps=video.fps,
        container=video.container,
        video_codec=video.video_codec or None,
        pull_url=media.public_url(delivery.id, video.content_hash) if pull else None,
    )
