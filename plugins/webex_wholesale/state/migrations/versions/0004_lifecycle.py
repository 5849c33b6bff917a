"""After day one: a lock per customer, snapshots of offboarded customers, a change's before and after in the audit
trail, the kind of a queued order (``onboard``, ``change`` or ``offboard``; every earlier order onboards), and the plan
of a change or offboarding run, shown while it waits for approval.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "wholesale_lock",
        sa.Column("external_id", sa.String(255), primary_key=True),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("dag_run_id", sa.String(250), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "wholesale_snapshot",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=False),
        sa.Column("dag_run_id", sa.String(250), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_json", sa.JSON, nullable=False),
        sa.Column("subscribers_json", sa.JSON, nullable=False),
    )
    op.create_index("ix_wholesale_snapshot_external_id", "wholesale_snapshot", ["external_id"])
    with op.batch_alter_table("wholesale_audit") as batch:
        batch.add_column(sa.Column("action", sa.String(32), nullable=True))
        batch.add_column(sa.Column("before_json", sa.JSON, nullable=True))
        batch.add_column(sa.Column("after_json", sa.JSON, nullable=True))
    with op.batch_alter_table("wholesale_order") as batch:
        batch.add_column(sa.Column("kind", sa.String(32), nullable=False, server_default="onboard"))
    with op.batch_alter_table("wholesale_run") as batch:
        batch.add_column(sa.Column("plan_summary", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wholesale_run") as batch:
        batch.drop_column("plan_summary")
    with op.batch_alter_table("wholesale_order") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("wholesale_audit") as batch:
        batch.drop_column("after_json")
        batch.drop_column("before_json")
        batch.drop_column("action")
    op.drop_index("ix_wholesale_snapshot_external_id", "wholesale_snapshot")
    op.drop_table("wholesale_snapshot")
    op.drop_table("wholesale_lock")
