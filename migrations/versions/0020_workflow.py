"""workflow: scheduled deliveries, post approval, staff time zones and e-mail preferences

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 07:30:00.000000
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEEP_IDS = studio.db.NEVER_REUSE_IDS
SEQ = sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t")


@contextmanager
def batch(table: str) -> Iterator[Any]:
    """batch_alter_table that keeps SQLite's never-reused ids counter across a rebuild."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    seq = bind.scalar(SEQ.bindparams(t=table)) if sqlite else None
    with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch_op:
        yield batch_op
    if seq is not None and (bind.scalar(SEQ.bindparams(t=table)) or 0) < seq:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t").bindparams(t=table))
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :n)").bindparams(
                t=table, n=seq
            )
        )


def upgrade() -> None:
    with batch("deliveries") as alter:
        alter.add_column(sa.Column("scheduled_at", studio.db.UTCDateTime(), nullable=True))
        alter.add_column(sa.Column("started_at", studio.db.UTCDateTime(), nullable=True))
        alter.add_column(sa.Column("notified_status", sa.String(length=24), nullable=True))
        alter.create_index(
            "ix_deliveries_account_id_scheduled_at", ["account_id", "scheduled_at"], unique=False
        )
        alter.create_index("ix_deliveries_finished_at", ["finished_at"], unique=False)
    # Deliveries finished before this version are not e-mailed about after it.
    op.execute(
        "UPDATE deliveries SET notified_status = status "
        "WHERE status IN ('in_inbox', 'published', 'failed')"
    )
    with batch("posts") as alter:
        alter.add_column(
            sa.Column("approval", sa.String(length=16), nullable=False, server_default="none")
        )
        alter.add_column(sa.Column("approval_digest", sa.String(length=64), nullable=True))
        alter.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        alter.add_column(sa.Column("approved_at", studio.db.UTCDateTime(), nullable=True))
        alter.add_column(sa.Column("returned_reason", sa.String(length=1000), nullable=True))
        alter.create_index("ix_posts_approved_by_id", ["approved_by_id"], unique=False)
        alter.create_index("ix_posts_approval", ["approval"], unique=False)
        alter.create_foreign_key(
            "fk_posts_approved_by_id_users",
            "users",
            ["approved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with batch("users") as alter:
        alter.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        alter.add_column(sa.Column("notify_off", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with batch("users") as alter:
        alter.drop_column("notify_off")
        alter.drop_column("time_zone")
    with batch("posts") as alter:
        alter.drop_constraint("fk_posts_approved_by_id_users", type_="foreignkey")
        alter.drop_index("ix_posts_approval")
        alter.drop_index("ix_posts_approved_by_id")
        for name in ("returned_reason", "approved_at", "approved_by_id", "approval_digest"):
            alter.drop_column(name)
        alter.drop_column("approval")
    with batch("deliveries") as alter:
        alter.drop_index("ix_deliveries_finished_at")
        alter.drop_index("ix_deliveries_account_id_scheduled_at")
        for name in ("notified_status", "started_at", "scheduled_at"):
            alter.drop_column(name)
