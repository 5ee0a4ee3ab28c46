"""The posts room's erasure: an account's deliveries go, and each post left with none goes with a
tombstone; nobody else's."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from studio import db
from studio.platforms.models import Delivery
from studio.posts import erasure
from studio.posts.models import Post, PostErasure
from tests.helpers import add_account, add_post


def test_erase_for_account_deletes_its_posts_and_leaves_tombstones(
    app: Flask, make_stored_video: Any
) -> None:
    first, second = make_stored_video(), make_stored_video(seconds=3.2)
    with app.app_context():
        mine, theirs = add_account("sbx-open-id-mine-0001"), add_account("sbx-open-id-theirs-01")
        erased_ids = [add_post(mine.id, first.id).id, add_post(mine.id, second.id).id]
        kept_id = add_post(theirs.id, first.id, caption="Theirs").id

        result = erasure.erase_for_account(db.session, mine.id, request_id=42)
        db.session.commit()

        assert result == erasure.ErasedPosts(2, sorted({first.id, second.id}), deliveries=2)
        assert list(db.session.scalars(select(Post.id))) == [kept_id]
        tombstones = db.session.scalars(select(PostErasure).order_by(PostErasure.post_id)).all()
        assert [(t.post_id, t.request_id) for t in tombstones] == [(i, 42) for i in erased_ids]
        assert erasure.tombstone(db.session, erased_ids[0]) is not None
        assert erasure.tombstone(db.session, kept_id) is None
        # Again: nothing left, and the tombstones stay as they were.
        assert erasure.erase_for_account(db.session, mine.id, request_id=42).posts == 0
        assert len(db.session.scalars(select(PostErasure)).all()) == 2


def test_without_a_request_there_is_no_number_to_name(app: Flask, make_stored_video: Any) -> None:
    video = make_stored_video()
    with app.app_context():
        account = add_account("sbx-open-id-replay-001")
        add_post(account.id, video.id)
        assert erasure.erase_for_account(db.session, account.id, request_id=None).posts == 1
        db.session.commit()
        assert db.session.scalars(select(PostErasure)).all() == []


def test_a_post_sent_to_another_account_too_keeps_that_delivery(
    app: Flask, make_stored_video: Any
) -> None:
    video = make_stored_video()
    with app.app_context():
        mine, theirs = add_account("sbx-open-id-mine-0002"), add_account("sbx-open-id-theirs-02")
        post = add_post(mine.id, video.id)
        post.deliveries.append(Delivery(account_id=theirs.id))
        db.session.commit()
        post_id = post.id

        result = erasure.erase_for_account(db.session, mine.id, request_id=7)
        db.session.commit()

        assert (result.posts, result.video_ids, result.deliveries) == (0, [], 1)
        left = db.session.scalars(select(Delivery)).all()
        assert [(d.post_id, d.account_id) for d in left] == [(post_id, theirs.id)]
        assert erasure.tombstone(db.session, post_id) is None
        # The other account's erasure takes the last delivery, then the post, with a tombstone.
        assert erasure.erase_for_account(db.session, theirs.id, request_id=8).posts == 1
        db.session.commit()
        assert db.session.get(Post, post_id) is None
        assert erasure.tombstone(db.session, post_id).request_id == 8
