"""Health: findings kept across checks (since, last seen, resolved, notified) and one row per check.

Revision ID: 0005
Revises: 0004 (the lifecycle migration)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wholesale_finding",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(320), nullable=False),
        sa.Column("customer_id", sa.String(255)),
        sa.Column("customer_name", sa.String(255)),
        sa.Column("order_id", _Id),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("details", sa.JSON),
        sa.Column("first_seen", _utc(), nullable=False),
        sa.Column("last_seen", _utc(), nullable=False),
        sa.Column("resolved_at", _utc()),
        sa.Column("notified_at", _utc()),
        sa.Column("resolution_notified_at", _utc()),
    )
    op.create_index("ix_wholesale_finding_external_id", "wholesale_finding", ["external_id"])
    op.create_index("ix_wholesale_finding_resolved_at", "wholesale_finding", ["resolved_at"])
    op.create_table(
        "wholesale_health_check",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column("dag_run_id", sa.String(250)),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc()),
        sa.Column("customers_checked", sa.Integer),
        sa.Column("requests", sa.Integer),
        sa.Column("findings_open", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("wholesale_health_check")
    op.drop_table("wholesale_finding")
