"""After a deletion, nothing the subject typed or caused is anywhere: every table (and on SQLite
the raw database and WAL bytes), every file under instance/, the app's log (records and file),
the job queue and the rate limiter."""

from __future__ import annotations

import email
import logging
import pickle
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from studio import db
from studio.audit.verify import verify as verify_chain
from studio.auth import services as auth_services
from studio.auth.models import Role, User
from studio.extensions import limiter
from studio.jobs import huey
from studio.privacy import services as privacy
from studio.privacy.models import DeletionRequest
from studio.sandbox.creators import by_id
from tests.conftest import PG_URL, send_draft
from tests.deploy.stack import RedisServer, redis_available
from tests.helpers import STAFF_PASSWORD, csrf_token
from tests.privacy.conftest import (
    LOOSE_LIMITS,
    delete_now,
    file_by_email,
    file_request,
    mailed_links,
    verify_with_tiktok,
)

# What the subject typed or caused, each distinctive enough to be found only where it leaked.
ADDRESS = "203.0.113.177"  # the requester's client address (TEST-NET-3)
NOTICE_EMAIL = "acme.owner.q7731@example.net"  # typed on the verified page
VIDEO_NAME = "acme-kettle-launch-q7731.mp4"
CAPTION = "The Q7731 kettle, as seen by Acme Studio"
HASHTAG = "kettleq7731"
PRODUCT = "Acme Kettle Q7731"
SKU = "SKU-Q7731-ACME"

# (place, needle) pairs that may stay, and why. Places are the prefixes the search reports.
LEGITIMATE = {
    # Fixed-window counters keyed by client address; they expire with their window (at most
    # an hour) and are declared in the inventory ("rate-limit keys").
    ("rate limiter", "client_address"): "rate-limit counters expire with their window",
}


@pytest.fixture(params=["sqlite-queue", "redis"])
def redis_url(request, tmp_path: Path):
    """The job queue and rate limiter in SQLite/memory, or both in a throwaway Redis."""
    if request.param != "redis":
        yield None
        return
    if not redis_available():
        pytest.skip("redis-server is not installed")
    with RedisServer(tmp_path / "redis") as server:
        yield server.url


@pytest.fixture
def sandbox_app(make_sandbox_app, tmp_path: Path, redis_url: str | None):
    """The privacy app, writing its own log file inside the instance folder."""
    log_file = str(tmp_path / "instance" / "logs" / "app.log")
    extra = {"REDIS_URL": redis_url} if redis_url else {}
    app = make_sandbox_app(**LOOSE_LIMITS, LOG_FILE=log_file, **extra)
    yield app
    huey._immediate = True
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "baseFilename", "").startswith(str(tmp_path)):
            root.removeHandler(handler)
            handler.close()


@pytest.fixture
def subject_post(app, connected_account, make_stored_video, users):
    """A post with the subject's caption, hashtag, product and file name, sent to "acme"."""
    video = make_stored_video(name=VIDEO_NAME)
    post = send_draft(
        app,
        connected_account.id,
        video.id,
        users["admin"],
        caption=CAPTION,
        hashtags_raw=f"#{HASHTAG}",
        product_name=PRODUCT,
        product_sku=SKU,
        nonce="nonce-q7731",
    )
    assert post.deliveries[0].remote_id, "the sandbox accepted the post"
    return post


def _needles(sandbox) -> dict[str, str]:
    acme = by_id("acme")
    needles = {
        "open_id": acme.open_id,
        "union_id": acme.union_id,
        "display_name": acme.display_name,
        "username": acme.username,
        "avatar": "/_sandbox/avatar/acme.svg",
    }
    for i, token in enumerate(list(sandbox.state.access) + list(sandbox.state.refresh)):
        needles[f"token{i}"] = token
    return needles


def _table_dump(app) -> str:
    """Every row of every table, every column as text."""
    with app.app_context():
        conn = db.session.connection()
        parts = []
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            parts.append(f"{table}: {[[str(v) for v in row] for row in rows]!r}")
        db.session.rollback()
        return "\n".join(parts)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _file_hits(instance: Path, needles: dict[str, str]) -> list[tuple[str, str]]:
    """Needles in the bytes or the name of any file under instance/ (SQLite's database and
    WAL, the job queue's database, uploads, outbox, logs, ledger, seals)."""
    found = []
    for path in _files(instance):
        if path.name == "config.py":
            continue
        raw = path.read_bytes()
        if path.suffix == ".eml":  # bodies may be quoted-printable or base64: decode them too
            message = email.message_from_bytes(raw)
            raw += b"".join(p.get_payload(decode=True) or b"" for p in message.walk())
        found += [(path.name, k) for k, v in needles.items() if v.encode() in raw]
        found += [(f"file name {path.name}", k) for k, v in needles.items() if v in str(path)]
    return found


def _drain() -> int:
    """Run every queued job, as a worker would; how many."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def _queue_dump() -> bytes:
    """Everything huey holds: queued, scheduled and result items (pickled bytes)."""
    storage = huey.storage
    parts = list(storage.enqueued_items()) + list(storage.scheduled_items())
    parts += [pickle.dumps(dict(storage.result_items()))]
    return b"\n".join(p if isinstance(p, bytes) else pickle.dumps(p) for p in parts)


def _limiter_dump() -> str:
    store = limiter.storage
    return repr(getattr(store, "storage", {})) + repr(getattr(store, "expirations", {}))


def _redis_dump(url: str) -> dict[bytes, bytes]:
    """Every key and value in Redis (the queue's and the limiter's)."""
    import redis

    client = redis.Redis.from_url(url)
    readers = {
        b"string": client.get,
        b"list": lambda k: client.lrange(k, 0, -1),
        b"hash": client.hgetall,
        b"set": client.smembers,
        b"zset": lambda k: client.zrange(k, 0, -1),
    }
    found = {}
    for key in client.scan_iter():
        value = readers.get(client.type(key), lambda k: b"")(key)
        found[key] = key + b"=" + (value if isinstance(value, bytes) else repr(value).encode())
    client.close()
    return found


def _run_subject_flow(app, client, sandbox, post) -> dict[str, str]:
    """The subject files, verifies, leaves an address, is written to, downloads, deletes."""
    needles = _needles(sandbox)  # every token the sandbox issued so far
    needles.update(
        client_address=ADDRESS,
        notice_email=NOTICE_EMAIL,
        video_name=VIDEO_NAME,
        caption=CAPTION,
        hashtag=HASHTAG,
        product_name=PRODUCT,
        product_sku=SKU,
        publish_id=post.deliveries[0].remote_id,
    )
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    huey._immediate = False  # jobs go through the queue's storage (undone by the fixture)
    code, _ = file_request(client)
    needles["confirmation_code"] = code
    assert verify_with_tiktok(client, sandbox).status_code == 303
    answer = client.post(
        "/data-deletion/notice-email",
        data={"csrf_token": csrf_token(client, "/data-deletion/verified"), "email": NOTICE_EMAIL},
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    with app.app_context():  # staff extend the deadline: the requester is written to
        req = db.session.scalars(select(DeletionRequest).order_by(DeletionRequest.id)).all()[-1]
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        privacy.extend(db.session, req, admin, 1, "A backlog of requests")
    assert any(NOTICE_EMAIL in p.read_text() for p in _files(Path(app.instance_path, "outbox")))
    assert client.get("/data-deletion/export").status_code == 200
    before = _table_dump(app)  # the search finds what is there (before the erasure)
    assert all(needles[k] in before for k in ("open_id", "caption", "product_sku", "publish_id"))
    assert needles["video_name"] in before and needles["hashtag"] in before
    assert delete_now(client).status_code == 303
    assert _drain() >= 1  # the deletion ran as a queued job
    status = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "completed" in status
    assert "Our copies of the e-mails we sent you (outgoing mail folder): 1" in status
    assert "deleted after 1095 days" in status  # how long the receipt itself is kept
    needles.update(_needles(sandbox))  # plus the verification token
    with app.app_context():
        assert verify_chain(app).intact
        receipt = privacy.receipt(db.session.get(DeletionRequest, req.id))
    assert receipt["erased"]["outbox_mail"] == 1  # the extension notice, erased not kept
    return needles


def _search(app, client, post, sandbox, caplog) -> list[str]:
    """Run the whole public flow, then list every place where a needle is found."""
    caplog.set_level(logging.DEBUG)
    return _places(app, _run_subject_flow(app, client, sandbox, post), caplog)


def _places(app, needles: dict[str, str], caplog) -> list[str]:
    """Every place (table rows, queue, limiter, instance files, logs) holding a needle."""
    found: list[tuple[str, str]] = []
    dump = _table_dump(app)
    found += [("table rows", k) for k, v in needles.items() if v in dump]
    queue = _queue_dump()
    found += [("job queue", k) for k, v in needles.items() if v.encode() in queue]
    limits = _limiter_dump()
    found += [("rate limiter", k) for k, v in needles.items() if v in limits]
    if app.config.get("REDIS_URL"):  # the queue and the limiter's counters live there
        for key, stored in _redis_dump(app.config["REDIS_URL"]).items():
            place = "rate limiter" if key.startswith(b"LIMIT") else f"redis {key!r}"
            found += [(place, k) for k, v in needles.items() if v.encode() in stored]
    instance = Path(app.instance_path)
    found += _file_hits(instance, needles)  # the WAL as the running app leaves it
    app.extensions["db"]["engine"].dispose()
    found += _file_hits(instance, needles)  # and once the last connection checkpointed it
    logs = "\n".join(r.getMessage() for r in caplog.records)
    found += [("log records", k) for k, v in needles.items() if v in logs]
    assert (instance / "logs" / "app.log").exists(), "the log file was searched"
    assert set(LEGITIMATE) <= set(found), f"every exemption is still needed: {found}"
    if "video_name" in needles:
        assert list((instance / "uploads").rglob("*.mp4")) == []
    kept = sorted(
        {f"{place}: {needle}" for place, needle in found if (place, needle) not in LEGITIMATE}
    )
    return kept


def test_nothing_of_the_subject_remains_anywhere(app, client, subject_post, sandbox, caplog):
    assert _search(app, client, subject_post, sandbox, caplog) == []


def test_nothing_of_a_departed_staff_member_remains(app, client, admin_client, caplog):
    """A staff member who left asks by e-mail: the address, the mailed link and the client
    address are gone with the account."""
    caplog.set_level(logging.DEBUG)
    leaver = "leaver.q7731@example.com"
    with app.app_context():
        user = auth_services.create_user(db.session, leaver, STAFF_PASSWORD, Role.STAFF)
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        auth_services.update_user(db.session, admin, db.session.merge(user), Role.STAFF, False)
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    code = file_by_email(client, leaver)
    (link,) = mailed_links(app)
    needles = {"email": leaver, "client_address": ADDRESS, "code": code, "link": link}
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 303
    assert delete_now(client).status_code == 303
    status = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "Staff account and its sign-in sessions: 1" in status
    assert "Our copies of the e-mails we sent you (outgoing mail folder): 1" in status
    assert _places(app, needles, caplog) == []


@pytest.mark.skipif(bool(PG_URL), reason="SQLite only")
def test_wal_is_truncated_by_the_checkpoint_after_erasure(app):
    from studio.privacy.execute import checkpoint

    with app.app_context():
        db.session.execute(text("CREATE TABLE scratch (x TEXT)"))
        db.session.execute(text("INSERT INTO scratch VALUES ('needle-in-the-wal')"))
        db.session.commit()
        db.session.execute(text("DELETE FROM scratch"))
        db.session.commit()
        wal = Path(app.instance_path) / "studio.db-wal"
        assert b"needle-in-the-wal" in wal.read_bytes()
        checkpoint(db.session)
    assert wal.stat().st_size == 0
    assert b"needle-in-the-wal" not in (Path(app.instance_path) / "studio.db").read_bytes()


def test_with_a_mail_server_the_receipt_says_no_copy_is_kept(app):
    from studio.privacy import execute

    app.config["SMTP_HOST"] = "smtp.example.net"
    with app.app_context():
        tally = execute.Tally(DeletionRequest(kind="tiktok"))
        execute._mail({"notice_email": NOTICE_EMAIL}, tally)
        assert tally.kept == [execute.KEPT_SMTP_MAIL] and not tally.erased
        tally = execute.Tally(DeletionRequest(kind="tiktok"))
        execute._mail({}, tally)  # never given an address: nothing was mailed
        assert tally.kept == [] and not tally.erased
