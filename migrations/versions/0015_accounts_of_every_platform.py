"""platforms: tiktok_accounts becomes accounts (platform, remote_id, handle); audit entries
name their platform (audit_entries.platform, tiktok_code → platform_code)

Old audit entries keep their hashes: the chain's canonical form leaves out trailing fields that
are empty, and ``platform`` is the last field, so an entry without one hashes as before. Old
entries are therefore not back-filled (their kind, "tiktok:...", already names the platform).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_RENAMES = (
    "ALTER TABLE accounts RENAME CONSTRAINT pk_tiktok_accounts TO pk_accounts",
    "ALTER TABLE accounts RENAME CONSTRAINT fk_tiktok_accounts_connected_by_id_users"
    " TO fk_accounts_connected_by_id_users",
    "ALTER INDEX ix_tiktok_accounts_connected_by_id RENAME TO ix_accounts_connected_by_id",
    "ALTER SEQUENCE tiktok_accounts_id_seq RENAME TO accounts_id_seq",
)
PG_BACK = (
    "ALTER TABLE tiktok_accounts RENAME CONSTRAINT pk_accounts TO pk_tiktok_accounts",
    "ALTER TABLE tiktok_accounts RENAME CONSTRAINT fk_accounts_connected_by_id_users"
    " TO fk_tiktok_accounts_connected_by_id_users",
    "ALTER INDEX ix_accounts_connected_by_id RENAME TO ix_tiktok_accounts_connected_by_id",
    "ALTER SEQUENCE accounts_id_seq RENAME TO tiktok_accounts_id_seq",
)


def _sequence(table: str) -> int | None:
    """SQLite: the highest id ever handed out (a rebuilt table would restart at max(id))."""
    return op.get_bind().scalar(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t").bindparams(t=table)
    )


def _restore_sequence(table: str, seq: int | None) -> None:
    if seq is None:
        return
    bind = op.get_bind()
    found = bind.scalar(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t").bindparams(t=table)
    )
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


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    seq = _sequence("tiktok_accounts") if sqlite else None
    # Renaming keeps every row and every foreign key pointing at it (posts, budgets).
    op.rename_table("tiktok_accounts", "accounts")
    if not sqlite:
        for statement in PG_RENAMES:
            op.execute(statement)
    op.execute("ALTER TABLE accounts RENAME COLUMN open_id TO remote_id")
    with op.batch_alter_table(
        "accounts", schema=None, table_kwargs=studio.db.NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.add_column(
            sa.Column("platform", sa.String(length=16), nullable=False, server_default="tiktok")
        )
        batch_op.add_column(sa.Column("handle", sa.String(length=255), nullable=True))
        batch_op.drop_constraint("uq_tiktok_accounts_open_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_accounts_platform"), ["platform", "remote_id"]
        )
    if sqlite:
        _restore_sequence("accounts", seq)
    # Native on both databases: the audit table is never copied.
    op.execute("ALTER TABLE audit_entries RENAME COLUMN tiktok_code TO platform_code")
    op.add_column("audit_entries", sa.Column("platform", sa.String(length=16), nullable=True))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_column("audit_entries", "platform")
    op.execute("ALTER TABLE audit_entries RENAME COLUMN platform_code TO tiktok_code")
    seq = _sequence("accounts") if sqlite else None
    with op.batch_alter_table(
        "accounts", schema=None, table_kwargs=studio.db.NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_accounts_platform"), type_="unique")
        batch_op.create_unique_constraint("uq_tiktok_accounts_open_id", ["remote_id"])
        batch_op.drop_column("handle")
        batch_op.drop_column("platform")
    op.execute("ALTER TABLE accounts RENAME COLUMN remote_id TO open_id")
    op.rename_table("accounts", "tiktok_accounts")
    if sqlite:
        _restore_sequence("tiktok_accounts", seq)
    else:
        for statement in PG_BACK:
            op.execute(statement)
