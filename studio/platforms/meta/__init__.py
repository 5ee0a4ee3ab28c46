"""Meta: Facebook Login for Business, Instagram Reels and Facebook Page Reels."""
