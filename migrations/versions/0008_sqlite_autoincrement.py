"""ids never reused: AUTOINCREMENT on SQLite for every table whose ids are referenced

SQLite gives a new row max(rowid) + 1: after the newest post (or account, user...) was
erased, the next one got its id back, and audit entries, receipts and logs naming the old id
then pointed at the new row. AUTOINCREMENT keeps the highest id ever used (sqlite_sequence).
PostgreSQL's sequences never hand an id out twice: nothing to do there.

Exempt (see tests/adversarial/test_ids.py): audit_entries (``seq`` is the chain position the app
assigns; rows are never deleted), upload_sessions (random token ids), post_rate_budgets
(natural key: account and time bucket).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "users",
    "login_sessions",
    "policy_versions",
    "deletion_requests",
    "webhook_deliveries",
    "oauth_flows",
    "tiktok_accounts",
    "videos",
    "posts",
)
# Ids erased before this migration live on in the audit log: the sequence starts above them.
AUDITED = {"posts": "post_id", "tiktok_accounts": "account_id"}


def _rebuild(autoincrement: bool) -> None:
    # Batch mode copies each table into a new one (rows, ids, indexes, constraints) and swaps
    # it in; env.py runs SQLite migrations with foreign keys off, as such rebuilds require,
    # and checks them all afterwards.
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(True)
    for table, column in AUDITED.items():
        highest = op.get_bind().scalar(sa.text(f"SELECT max({column}) FROM audit_entries"))
        if highest is None:
            continue
        # Copying the rows already set each table's sequence to its highest surviving id.
        op.execute(
            sa.text("UPDATE sqlite_sequence SET seq = :n WHERE name = :t AND seq < :n").bindparams(
                n=highest, t=table
            )
        )
        op.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT :t, :n "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = :t)"
            ).bindparams(n=highest, t=table)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(False)
