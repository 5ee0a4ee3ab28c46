"""Tests of the local TikTok sandbox."""
