"""A real deployment: PostgreSQL, Redis, 2 gunicorn workers, 2 huey consumers and the sandbox.

Everything goes over HTTP on loopback, as a browser without JavaScript would send it. Each
person gets their own client address (X-Forwarded-For through the one trusted proxy hop), so
the per-address login limit only binds where a test means it to.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text

from tests.deploy.conftest import DEPLOY_ENV
from tests.deploy.stack import PostgresDatabase, Stack
from tests.deploy.web import Staff, Visitor
from tests.helpers import ADMIN_PASSWORD, STAFF_PASSWORD, wait_until

pytestmark = pytest.mark.deploy

INBOX_INIT = "/v2/post/publish/inbox/video/init/"
T = TypeVar("T")
_addresses = (f"10.{b}.{c}.{d}" for b in (20, 21) for c in range(256) for d in range(1, 255))
_ACCOUNT = re.compile(r'<h2 id="acct-(\d+)">([^<]+)</h2>')
_SERVED = re.compile(r'"(GET|POST) (\S+) HTTP/1\.1" (\d{3}) .* <(\d+)>$')


def person() -> dict[str, str]:
    """Headers of one more distinct client address."""
    return {"X-Forwarded-For": next(_addresses)}


def admin(stack: Stack) -> Staff:
    return Staff(stack.url, person()).sign_in("admin@example.com", ADMIN_PASSWORD)


def connect(stack: Stack, creator: str) -> tuple[Staff, int]:
    """An admin connects ``creator`` through the sandbox's consent page; returns the account id."""
    staff = admin(stack)
    answer = staff.connect_tiktok(stack.sandbox_url, creator)
    assert answer.status_code == 302 and answer.headers["Location"] == "/tiktok/", answer.text
    names = {name: int(i) for i, name in _ACCOUNT.findall(staff.get("/tiktok/").text)}
    display = {"acme": "Acme Studio", "quiet": "Quiet Lab (private)"}[creator]
    return staff, names[display]


def at_once(jobs: list[Callable[[], T]], threads: int = 8) -> list[T]:
    """Run the callables concurrently; their results in order."""
    with ThreadPoolExecutor(threads) as pool:
        return [f.result() for f in [pool.submit(job) for job in jobs]]


def served(stack: Stack, since: int, method: str, path: str) -> list[tuple[int, int]]:
    """(status, gunicorn worker pid) of the requests to ``path`` logged after byte ``since``."""
    lines = stack.log("web")[since:].splitlines()
    hits = (_SERVED.search(line) for line in lines)
    return [(int(m[3]), int(m[4])) for m in hits if m and m[1] == method and m[2] == path]


def log_size(stack: Stack) -> int:
    return len(stack.log("web"))


@contextmanager
def consumers_paused(stack: Stack) -> Iterator[None]:
    """SIGSTOP both huey consumers, so that jobs queued meanwhile start together on SIGCONT."""
    pids = [stack.procs[f"worker{i}"].pid for i in range(stack.job_workers)]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def query(database: PostgresDatabase, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(database.url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def job_pids(database: PostgresDatabase, post_ids: list[int]) -> set[int]:
    """The consumer processes that worked on these posts (from the audit entries' job ids)."""
    rows = query(
        database,
        "SELECT DISTINCT job_id FROM audit_entries "
        "WHERE post_id = ANY(:ids) AND job_id IS NOT NULL",
        ids=post_ids,
    )
    return {int(row.job_id.split(":")[1]) for row in rows}


def refreshes_audited(database: PostgresDatabase, account_id: int) -> int:
    rows = query(
        database,
        "SELECT count(*) AS n FROM audit_entries "
        "WHERE kind = 'tiktok:refreshed' AND account_id = :id",
        id=account_id,
    )
    return int(rows[0].n)


def consumer_pids(stack: Stack) -> set[int]:
    return {stack.procs[f"worker{i}"].pid for i in range(stack.job_workers)}


def test_draft_end_to_end_over_http(stack: Stack, sample_mp4: Path) -> None:
    staff, account_id = connect(stack, "acme")
    uploaded = staff.upload(sample_mp4, "kettle.mp4")
    assert uploaded["name"] == "kettle.mp4" and uploaded["url"] == f"/videos/{uploaded['video_id']}"
    post_id = staff.send_draft(uploaded["video_id"], account_id, caption="New kettle")

    status = staff.wait_terminal(post_id)

    assert status["status"] == "in_inbox" and status["remote_status"] == "SEND_TO_USER_INBOX"
    assert status["bytes_sent"] == status["video_size"] == sample_mp4.stat().st_size
    sandbox = stack.sandbox("state")
    upload = sandbox["uploads"][status["remote_id"]]
    assert upload["sha256"] == hashlib.sha256(sample_mp4.read_bytes()).hexdigest()
    page = staff.get(f"/posts/{post_id}").text
    assert "In the account&#39;s TikTok inbox" in page or "In the account's TikTok inbox" in page


def test_gunicorns_access_log_holds_no_bearer_value(stack: Stack) -> None:
    """A deletion request by e-mail over HTTP; then its code, link token and a media token are
    searched for in gunicorn's access log: only their redacted paths are there."""
    from email import message_from_bytes

    since = log_size(stack)
    visitor = Visitor(stack.url, person())
    filed = visitor.form_post(
        "/data-deletion", "/data-deletion", {"kind": "email", "email": "owner@example.org"}
    )
    assert filed.status_code == 303, filed.text
    code = re.search(r'data-code="([A-Z0-9]+)"', visitor.get("/data-deletion/received").text)[1]
    outbox = stack.workdir / "instance" / "outbox"
    mail = max(outbox.glob("*.eml"))
    body = message_from_bytes(mail.read_bytes()).get_payload(decode=True).decode()
    link = re.search(r"/data-deletion/email/(\S+)", body)[1]
    path = f"/data-deletion/email/{link}"
    assert visitor.form_post(path, path, {}).status_code == 303
    again = visitor.form_post("/data-deletion", path, {})  # the second use
    assert again.status_code == 410
    assert visitor.get(f"/data-deletion/status/{code}?from=mail").status_code == 200
    media = "eyJwIjoxfQ.fake-media-token-abcdefghijklmnop"
    assert visitor.get(f"/media/{media}").status_code == 403
    wait_until(  # gunicorn writes the line after answering
        lambda: "/media/[redacted]" in stack.log("web")[since:], 15, "gunicorn's access log line"
    )
    log = stack.log("web")[since:]
    assert "/data-deletion/email/[redacted]" in log and "/media/[redacted]" in log, log[-2000:]
    assert "/data-deletion/status/[redacted]" in log
    assert [v for v in (code, link, media, "from=mail") if v in log] == []


def test_login_limits_hold_across_both_web_workers(stack: Stack) -> None:
    since = log_size(stack)
    crowd = person()  # one address, many connections, many e-mail addresses

    def from_crowd(i: int) -> Callable[[], int]:
        return lambda: (
            Visitor(stack.url, crowd)
            .form_post(
                "/auth/login", "/auth/login", {"email": f"guess{i}@example.com", "password": "x"}
            )
            .status_code
        )

    by_address = at_once([from_crowd(i) for i in range(24)])
    target = "target@example.com"  # one account, a new address each time

    def at_target() -> int:
        visitor = Visitor(stack.url, person())
        body = {"email": target, "password": "wrong password"}
        return visitor.form_post("/auth/login", "/auth/login", body).status_code

    by_account = at_once([at_target for _ in range(36)])

    assert sorted(by_address) == [401] * 10 + [429] * 14  # LOGIN_RATE_LIMIT_IP: 10 per minute
    assert DEPLOY_ENV["STUDIO_LOGIN_RATE_LIMIT_ACCOUNT"] == "30 per 15 minutes"
    assert sorted(by_account) == [401] * 30 + [429] * 6
    answers = served(stack, since, "POST", "/auth/login")
    assert len(answers) == 60
    assert len({pid for _status, pid in answers if _status == 401}) == 2  # both workers counted
    assert len({pid for _status, pid in answers if _status == 429}) == 2  # both workers refused
    refused = Visitor(stack.url, crowd).form_post(
        "/auth/login", "/auth/login", {"email": "late@example.com", "password": "x"}
    )
    assert refused.status_code == 429
    assert "Too many attempts (10 per 1 minute)" in refused.text


def test_audit_chain_stays_single(
    stack: Stack, pg_database: PostgresDatabase, sample_mp4: Path
) -> None:
    staff, account_id = connect(stack, "acme")
    video_id = staff.upload(sample_mp4)["video_id"]
    since = log_size(stack)

    def send() -> int:
        return admin(stack).send_draft(video_id, account_id)

    def sign_in_and_browse() -> int:
        member = Staff(stack.url, person()).sign_in("staff@example.com", STAFF_PASSWORD)
        for page in ("/dashboard/", "/videos/", "/posts/", "/audit/"):
            assert member.get(page).status_code == 200
        return 0

    with consumers_paused(stack):  # both jobs wait, so each consumer takes one
        post_ids = at_once([send, send])
    at_once([sign_in_and_browse] * 12)  # while the consumers send: writers in all four processes
    for post_id in post_ids:
        assert staff.wait_terminal(post_id)["status"] == "in_inbox"

    report = stack.flask("audit", "verify")
    rows = query(pg_database, "SELECT seq, prev_hash, hash FROM audit_entries ORDER BY seq")
    assert re.search(rf"^{len(rows)} entries, intact$", report, re.M), report
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert len({r.prev_hash for r in rows}) == len(rows)  # no two entries share a parent
    logins = served(stack, since, "POST", "/auth/login")
    assert len(logins) == 14 and {status for status, _pid in logins} == {302}
    assert len({pid for _status, pid in logins}) == 2
    assert job_pids(pg_database, post_ids) == consumer_pids(stack)


@pytest.mark.parametrize("where", ["tiktok", "database"])
def test_exactly_one_refresh_when_both_consumers_need_one(
    stack: Stack, pg_database: PostgresDatabase, sample_mp4: Path, where: str
) -> None:
    """Both consumers start a send with a dead token at the same moment: one refresh.

    The sandbox parks both inits until both arrived, so each single-threaded consumer holds
    one of the two sends. ``tiktok``: the sandbox stops accepting the token (both get 401,
    both ask to refresh the stale token). ``database``: the stored expiry has passed (both
    refresh ahead of the call).
    """
    staff, account_id = connect(stack, "quiet")
    video_id = staff.upload(sample_mp4)["video_id"]
    senders = [admin(stack), admin(stack)]
    before = stack.sandbox("state")["counters"].get("refreshes", 0)
    audited = refreshes_audited(pg_database, account_id)
    for _post in range(2):
        stack.sandbox("holds", {"endpoints": [INBOX_INIT]})
    with consumers_paused(stack):
        post_ids = at_once([lambda s=s: s.send_draft(video_id, account_id) for s in senders])
        if where == "tiktok":  # the token we hold is dead at TikTok; a refreshed one lives
            assert stack.sandbox("expire_tokens", {})["expired"] >= 1
        else:
            query(
                pg_database,
                "UPDATE accounts SET access_expires_at = now() - interval '1 minute' "
                "WHERE id = :id",
                id=account_id,
            )
    parked = wait_until(
        lambda: len(calls := stack.sandbox("holds")) == 2 and calls, 90, "both inits at TikTok"
    )
    for held in parked:
        stack.sandbox(f"holds/{held['id']}/release", {})
    statuses = [staff.wait_terminal(post_id) for post_id in post_ids]

    assert [s["status"] for s in statuses] == ["in_inbox", "in_inbox"]
    assert stack.sandbox("state")["counters"]["refreshes"] == before + 1
    assert refreshes_audited(pg_database, account_id) == audited + 1
    assert job_pids(pg_database, post_ids) == consumer_pids(stack)  # one send in each consumer
