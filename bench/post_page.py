"""The post page's cost per delivery: p50/p99 of GET /posts/<id> for a post with 4 deliveries
against the same post with 1 (target: p99 ≤ 1.2× — the page must not grow with the number of
platforms a post goes to).

What runs: a migrated app on SQLite (or --database-url), signed in as staff through the real
sign-in form, 4 connected accounts, one video, a post with 1 delivery and a post with 4 (both
with 24 audit entries in the post's activity log, so the difference is the delivery cards).
Requests alternate between the two posts so the machine's other load weighs on both alike.

Run: .venv/bin/python bench/post_page.py [--requests 400] [--database-url URL]
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.audit import make  # noqa: E402
from studio import db, vault  # noqa: E402
from studio.audit import Action, Actor, record, scope  # noqa: E402
from studio.auth import services as auth  # noqa: E402
from studio.auth.models import Role  # noqa: E402
from studio.platforms.models import Account, Delivery, DeliveryStatus  # noqa: E402
from studio.posts.models import Post  # noqa: E402
from studio.videos.models import Video  # noqa: E402

PASSWORD = "bench-Correct-Horse-Battery-9"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def seed(app) -> tuple[int, int]:
    """Four accounts, a video, a post with 1 delivery and one with 4; returns their ids."""
    with app.app_context():
        session = db.session
        user = auth.create_user(session, "bench@example.com", PASSWORD, Role.ADMIN)
        accounts = []
        for n in range(4):
            key = vault.new_data_key()
            account = Account(
                platform="tiktok", remote_id=f"bench-{n}", display_name=f"Account {n}", data_key=key
            )
            session.add(account)
            accounts.append(account)
        video = Video(
            storage_name=secrets.token_hex(8) + ".mp4",
            content_hash="blake3:" + "0" * 64,
            size_bytes=50_000_000,
            display_name="kettle.mp4",
            container="mp4",
            video_codec="h264",
            duration_s=20.0,
            width=1080,
            height=1920,
            fps=30.0,
            uploaded_by_id=user.id,
        )
        session.add(video)
        session.commit()
        ids = []
        for targets in (accounts[:1], accounts):
            post = Post(
                idempotency_key=secrets.token_hex(16),
                video_id=video.id,
                created_by_id=user.id,
                caption="The new kettle boils in 90 seconds",
                hashtags=["kettle", "kitchen"],
                deliveries=[
                    Delivery(
                        account_id=a.id,
                        platform="tiktok",
                        status=DeliveryStatus.IN_INBOX,
                        video_size=50_000_000,
                        bytes_sent=50_000_000,
                        remote_id=f"v_inbox_file~{secrets.token_hex(8)}",
                    )
                    for a in targets
                ],
            )
            session.add(post)
            session.commit()
            # The same activity log length for both (24 entries, split over the deliveries):
            # what is compared is the cost of the delivery cards, not of a longer history.
            for delivery in post.deliveries:
                with scope(actor=Actor.job("send_delivery"), post_id=post.id):
                    for step in range(24 // len(post.deliveries)):
                        record(
                            Action.TIKTOK_REQUEST,
                            summary=f"POST /v2/post/publish/status/fetch/ → 200 ({step})",
                            account_id=delivery.account_id,
                            platform="tiktok",
                        )
            ids.append(post.id)
        return ids[0], ids[1]


def sign_in(app):
    client = app.test_client()
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True))
    form = {"email": "bench@example.com", "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/auth/login", data=form).status_code == 302, "sign-in failed"
    return client


def measure(client, one: int, four: int, n: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"1 delivery": [], "4 deliveries": []}
    for i in range(n * 2 + 20):
        name, post_id = ("1 delivery", one) if i % 2 == 0 else ("4 deliveries", four)
        started = time.perf_counter()
        response = client.get(f"/posts/{post_id}")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 20:  # warm-up requests are not counted
            times[name].append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = make(args.database_url, Path(folder))
        one, four = seed(app)
        client = sign_in(app)
        page = client.get(f"/posts/{four}").get_data(as_text=True)
        cards = len(set(re.findall(r'data-delivery-id="(\d+)"', page)))
        times = measure(client, one, four, args.requests)
    p = {k: (statistics.median(v), statistics.quantiles(v, n=100)[98]) for k, v in times.items()}
    print(f"post page, {args.requests} requests each (ms)      p50      p99")
    for name, (p50, p99) in p.items():
        print(f"  {name:<37} {p50:7.1f}  {p99:7.1f}")
    ratio = p["4 deliveries"][1] / p["1 delivery"][1]
    print(f"  p99 ratio 4 / 1 deliveries: {ratio:.2f}  (target ≤ 1.2; cards on the page: {cards})")


if __name__ == "__main__":
    main()
