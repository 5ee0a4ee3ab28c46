"""posts split into posts (what staff prepared once) and deliveries (one per post and account)

Each existing post keeps its row and gains one delivery WITH THE SAME ID, carrying its sending
state (publish_id → remote_id, upload_url_enc → transfer_url_enc, tiktok_* → remote_*,
post_info → options); URLs, audit entries' post_id and the ledger keep meaning the same thing.
The deliveries' counter starts after the highest post id ever handed out. Then the sending
columns leave posts: SQLite rebuilds the table (its never-reused ids counter restored),
PostgreSQL alters it in place. Downgrading needs exactly one delivery per post.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (deliveries column, posts column) for everything that moves.
MOVED = (
    ("account_id", "account_id"),
    ("mode", "mode"),
    ("source", "source"),
    ("options", "post_info"),
    ("status", "status"),
    ("lease_owner", "lease_owner"),
    ("lease_until", "lease_until"),
    ("next_attempt_at", "next_attempt_at"),
    ("attempts", "attempts"),
    ("restarts", "restarts"),
    ("polls", "polls"),
    ("remote_id", "publish_id"),
    ("transfer_url_enc", "upload_url_enc"),
    ("transfer_url_expires_at", "upload_url_expires_at"),
    ("video_size", "video_size"),
    ("chunk_size", "chunk_size"),
    ("total_chunks", "total_chunks"),
    ("next_chunk", "next_chunk"),
    ("bytes_sent", "bytes_sent"),
    ("remote_status", "tiktok_status"),
    ("remote_bytes", "tiktok_bytes"),
    ("remote_post_ids", "tiktok_post_ids"),
    ("fail_reason", "fail_reason"),
    ("fail_message", "fail_message"),
    ("retryable", "retryable"),
    ("status_note", "status_note"),
    ("sent_at", "sent_at"),
    ("uploaded_at", "uploaded_at"),
    ("finished_at", "finished_at"),
)
# The posts columns as they were (0005) for the downgrade: name, type, nullable, and the column
# it came before (None: at the end); SQLite puts it there, PostgreSQL appends it.
OLD_COLUMNS = (
    ("account_id", sa.Integer(), False, "created_by_id"),
    ("mode", sa.String(length=16), False, "caption"),
    ("source", sa.String(length=16), False, "caption"),
    ("post_info", sa.JSON(), True, "consent_text"),
    ("status", sa.String(length=24), False, "created_at"),
    ("lease_owner", sa.String(length=80), True, "created_at"),
    ("lease_until", studio.db.UTCDateTime(timezone=True), True, "created_at"),
    ("next_attempt_at", studio.db.UTCDateTime(timezone=True), True, "created_at"),
    ("attempts", sa.Integer(), False, "created_at"),
    ("restarts", sa.Integer(), False, "created_at"),
    ("polls", sa.Integer(), False, "created_at"),
    ("publish_id", sa.String(length=64), True, "created_at"),
    ("upload_url_enc", sa.Text(), True, "created_at"),
    ("upload_url_expires_at", studio.db.UTCDateTime(timezone=True), True, "created_at"),
    ("video_size", sa.BigInteger(), False, "created_at"),
    ("chunk_size", sa.BigInteger(), False, "created_at"),
    ("total_chunks", sa.Integer(), False, "created_at"),
    ("next_chunk", sa.Integer(), False, "created_at"),
    ("bytes_sent", sa.BigInteger(), False, "created_at"),
    ("tiktok_status", sa.String(length=32), True, "created_at"),
    ("tiktok_bytes", sa.BigInteger(), True, "created_at"),
    ("tiktok_post_ids", sa.JSON(), False, "created_at"),
    ("fail_reason", sa.String(length=80), True, "created_at"),
    ("fail_message", sa.Text(), True, "created_at"),
    ("retryable", sa.Boolean(), False, "created_at"),
    ("status_note", sa.String(length=300), True, "created_at"),
    ("sent_at", studio.db.UTCDateTime(timezone=True), True, None),
    ("uploaded_at", studio.db.UTCDateTime(timezone=True), True, None),
    ("finished_at", studio.db.UTCDateTime(timezone=True), True, None),
)
OLD_INDEXES = (
    ("ix_posts_account_id", ["account_id"]),
    ("ix_posts_account_id_sent_at", ["account_id", "sent_at"]),
    ("ix_posts_lease_until", ["lease_until"]),
    ("ix_posts_publish_id", ["publish_id"]),
    ("ix_posts_status_next_attempt_at", ["status", "next_attempt_at"]),
)
OLD_FK = "fk_posts_account_id_tiktok_accounts"  # its name since 0005 (0015 kept it)


def _sqlite_seq(table: str) -> int | None:
    return op.get_bind().scalar(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t").bindparams(t=table)
    )


def _set_sqlite_seq(table: str, seq: int | None) -> None:
    """SQLite: the table's counter is at least ``seq`` (a rebuilt table restarts at max(id))."""
    if seq is None:
        return
    bind = op.get_bind()
    found = _sqlite_seq(table)
    if found is None:
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :n)").bindparams(
                t=table, n=seq
            )
        )
    elif found < seq:
        bind.execute(
            sa.text("UPDATE sqlite_sequence SET seq = :n WHERE name = :t").bindparams(
                t=table, n=seq
            )
        )


def _create_deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("lease_owner", sa.String(length=80), nullable=True),
        sa.Column("lease_until", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("restarts", sa.Integer(), nullable=False),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=True),
        sa.Column("transfer_url_enc", sa.Text(), nullable=True),
        sa.Column("transfer_url_expires_at", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("video_size", sa.BigInteger(), nullable=False),
        sa.Column("chunk_size", sa.BigInteger(), nullable=False),
        sa.Column("total_chunks", sa.Integer(), nullable=False),
        sa.Column("next_chunk", sa.Integer(), nullable=False),
        sa.Column("bytes_sent", sa.BigInteger(), nullable=False),
        sa.Column("remote_status", sa.String(length=32), nullable=True),
        sa.Column("remote_bytes", sa.BigInteger(), nullable=True),
        sa.Column("remote_post_ids", sa.JSON(), nullable=False),
        sa.Column("fail_reason", sa.String(length=80), nullable=True),
        sa.Column("fail_message", sa.Text(), nullable=True),
        sa.Column("retryable", sa.Boolean(), nullable=False),
        sa.Column("status_note", sa.String(length=300), nullable=True),
        sa.Column("created_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("uploaded_at", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_deliveries_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_deliveries_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("post_id", "account_id", name=op.f("uq_deliveries_post_id")),
        **studio.db.NEVER_REUSE_IDS,
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_account_id_sent_at", ["account_id", "sent_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deliveries_lease_until"), ["lease_until"])
        batch_op.create_index(batch_op.f("ix_deliveries_remote_id"), ["remote_id"])
        batch_op.create_index(
            "ix_deliveries_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    _create_deliveries()
    new = ", ".join(d for d, _ in MOVED)
    old = ", ".join(f"posts.{p}" for _, p in MOVED)
    op.execute(
        f"INSERT INTO deliveries (id, post_id, platform, created_at, updated_at, {new}) "
        f"SELECT posts.id, posts.id, accounts.platform, posts.created_at, posts.updated_at, {old} "
        "FROM posts JOIN accounts ON accounts.id = posts.account_id"
    )
    if sqlite:
        posts_seq = _sqlite_seq("posts")
        _set_sqlite_seq("deliveries", posts_seq)
        with op.batch_alter_table(
            "posts", schema=None, table_kwargs=studio.db.NEVER_REUSE_IDS
        ) as batch_op:
            for name, _columns in OLD_INDEXES:
                batch_op.drop_index(name)
            batch_op.drop_constraint(OLD_FK, type_="foreignkey")
            for name, *_ in OLD_COLUMNS:
                batch_op.drop_column(name)
        _set_sqlite_seq("posts", posts_seq)
        return
    # PostgreSQL: the deliveries' sequence continues where the posts' stands.
    last, called = bind.execute(sa.text("SELECT last_value, is_called FROM posts_id_seq")).one()
    bind.execute(
        sa.text("SELECT setval('deliveries_id_seq', :n, :called)").bindparams(n=last, called=called)
    )
    for name, _columns in OLD_INDEXES:
        op.drop_index(name, table_name="posts")
    op.drop_constraint(OLD_FK, "posts", type_="foreignkey")
    for name, *_ in OLD_COLUMNS:
        op.drop_column("posts", name)


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    unmatched = bind.scalar(
        sa.text(
            "SELECT count(*) FROM posts WHERE "
            "(SELECT count(*) FROM deliveries WHERE deliveries.post_id = posts.id) <> 1"
        )
    )
    if unmatched:
        raise RuntimeError(
            f"{unmatched} post(s) have no delivery or several: 0016 holds exactly one per post"
        )
    seq = _sqlite_seq("posts") if sqlite else None
    if sqlite:  # rebuilt with each column where it stood
        with op.batch_alter_table(
            "posts", schema=None, recreate="always", table_kwargs=studio.db.NEVER_REUSE_IDS
        ) as batch_op:
            for name, type_, _nullable, before in OLD_COLUMNS:
                batch_op.add_column(sa.Column(name, type_, nullable=True), insert_before=before)
    else:
        for name, type_, _nullable, _before in OLD_COLUMNS:
            op.add_column("posts", sa.Column(name, type_, nullable=True))
    new = ", ".join(d for d, _ in MOVED)
    old = ", ".join(p for _, p in MOVED)
    op.execute(
        f"UPDATE posts SET ({old}) = "
        f"(SELECT {new} FROM deliveries WHERE deliveries.post_id = posts.id)"
    )
    with op.batch_alter_table(
        "posts", schema=None, table_kwargs=studio.db.NEVER_REUSE_IDS
    ) as batch_op:
        for name, type_, nullable, _before in OLD_COLUMNS:
            if not nullable:
                batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.create_foreign_key(OLD_FK, "accounts", ["account_id"], ["id"], ondelete="CASCADE")
        for name, columns in OLD_INDEXES:
            batch_op.create_index(name, columns, unique=False)
    if sqlite:
        _set_sqlite_seq("posts", seq)
    op.drop_table("deliveries")
