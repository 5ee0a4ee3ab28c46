"""TikTok's options section: draft or Direct Post, scopes, and Direct Post's rules at fields."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from studio.platforms.models import Account, Mode
from studio.platforms.options import Common, Target
from studio.platforms.tiktok.options import OPTIONS
from studio.platforms.tiktok.results import CreatorInfo

MP4 = {"fps": 30.0, "size_bytes": 2_000_000, "container": "mp4", "video_codec": "h264"}
COMMON = Common("Kettle", (), "Kettle", False, 20.0, 1080, 1920, **MP4)
CREATOR = CreatorInfo("", "acme", "Acme", ["SELF_ONLY"], False, True, True, 60)


def account(scopes: str) -> Account:
    return Account(id=3, platform="tiktok", remote_id="o", scopes=scopes)


def test_the_mode_needs_its_scope(app):
    with app.test_request_context():
        app.config["TIKTOK_DIRECT_POST"] = True
        direct = OPTIONS.prepare_form(MultiDict({"a3-mode": "direct"}), "a3-", account(""))
        assert direct.validate()
        found = OPTIONS.check_prepare(direct, account("video.upload"), COMMON)
        assert "did not allow direct posting" in found["mode"]
        assert OPTIONS.check_prepare(direct, account("video.upload,video.publish"), COMMON) == {}
        draft = OPTIONS.prepare_form(MultiDict({"a3-mode": "draft"}), "a3-", account(""))
        assert (
            "did not allow this app to send drafts"
            in OPTIONS.check_prepare(draft, account(""), COMMON)["mode"]
        )
        app.config["TIKTOK_DIRECT_POST"] = False
        off = OPTIONS.prepare_form(MultiDict({"a3-mode": "direct"}), "a3-", account(""))
        assert not off.validate()  # not offered while Direct Post is switched off


def test_direct_post_rules_and_post_info(app):
    with app.test_request_context():
        app.config["TIKTOK_DIRECT_POST"] = True
        target = Target(account("video.publish"), "Acme", "acme", None, CREATOR)
        prepared = OPTIONS.prepare_form(MultiDict({"a3-mode": "direct"}), "a3-", target.account)
        chosen = MultiDict({"a3-privacy_level": "SELF_ONLY", "a3-allow_duet": "y"})
        confirm = OPTIONS.confirm_form(chosen, "a3-", prepared, target)
        found = OPTIONS.check_confirm(prepared, confirm, target, COMMON)
        assert found == {"allow_duet": "Duet is turned off for this account in TikTok."}
        ok = OPTIONS.confirm_form(
            MultiDict({"a3-privacy_level": "SELF_ONLY"}), "a3-", prepared, target
        )
        assert OPTIONS.check_confirm(prepared, ok, target, COMMON) == {}
        info = OPTIONS.stored(prepared, ok, target, COMMON)
        assert info["privacy_level"] == "SELF_ONLY" and info["disable_duet"] is True
        assert OPTIONS.mode(prepared, COMMON) == Mode.DIRECT
        assert "publish this video to the TikTok account “Acme” (@acme) now" in OPTIONS.consent(
            prepared, target
        )
