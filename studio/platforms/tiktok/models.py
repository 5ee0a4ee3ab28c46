"""TikTok's pending OAuth flows: the shared `OAuthFlow` (studio.platforms.models) since YouTube."""

from studio.platforms.models import OAuthFlow

__all__ = ["OAuthFlow"]
