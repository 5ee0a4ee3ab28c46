"""YouTube (Google OAuth 2.0 and the YouTube Data API v3): the client layer."""
