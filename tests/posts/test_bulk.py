"""Duplicate a post: the prepare form comes back filled, targets and consent chosen afresh."""

from __future__ import annotations

from tests.posts.conftest import send
from tests.posts.workflow import last_post


def test_duplicate_fills_the_prepare_form(app, sandbox, sandbox_client, account, video):
    send(sandbox_client, video.id, account.id, caption="Kettle <b>v2</b>", product_name="K2")
    post = last_post(app)
    response = sandbox_client.get(f"/posts/{post.id}/duplicate")
    assert response.status_code == 302
    assert f"/posts/new?video_id={video.id}&like={post.id}" in response.headers["Location"]
    form = sandbox_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kettle &lt;b&gt;v2&lt;/b&gt;</textarea>" in form
    assert 'value="#kitchen #Kettle"' in form and 'value="K2"' in form


def test_an_unknown_post_to_copy_gives_an_empty_form(app, sandbox, sandbox_client, video):
    page = sandbox_client.get(f"/posts/new?video_id={video.id}&like=99999999999999999999")
    assert page.status_code == 200
    assert sandbox_client.get("/posts/424242/duplicate").status_code == 404
