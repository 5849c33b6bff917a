"""The first schema: orders, their transitions, onboarding runs and the audit trail.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wholesale_order",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("customer_name", sa.String(255), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("order_json", sa.JSON, nullable=False),
        sa.Column("subscriber_count", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("dag_run_id", sa.String(250)),
        sa.Column("customer_id", sa.String(255)),
        sa.Column("source", sa.String(1024)),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_index("ix_wholesale_order_state", "wholesale_order", ["state"])
    op.create_index("ix_wholesale_order_external_id", "wholesale_order", ["external_id"])

    op.create_table(
        "wholesale_order_transition",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column(
            "order_id",
            _Id,
            sa.ForeignKey(
                "wholesale_order.id", ondelete="CASCADE", name="fk_wholesale_order_transition_order_id_wholesale_order"
            ),
            nullable=False,
        ),
        sa.Column("from_state", sa.String(32)),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_wholesale_order_transition_order_id", "wholesale_order_transition", ["order_id"])

    op.create_table(
        "wholesale_run",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("dag_run_id", sa.String(250), nullable=False),
        sa.Column(
            "order_id",
            _Id,
            sa.ForeignKey("wholesale_order.id", ondelete="SET NULL", name="fk_wholesale_run_order_id_wholesale_order"),
        ),
        sa.Column("customer_external_id", sa.String(255)),
        sa.Column("customer_name", sa.String(255)),
        sa.Column("customer_id", sa.String(255)),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("report_json", sa.JSON),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("ended_at", _utc()),
        sa.UniqueConstraint("dag_run_id", name="uq_wholesale_run_dag_run_id"),
    )
    op.create_index("ix_wholesale_run_order_id", "wholesale_run", ["order_id"])
    op.create_index("ix_wholesale_run_customer_external_id", "wholesale_run", ["customer_external_id"])

    op.create_table(
        "wholesale_audit",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("dag_id", sa.String(250)),
        sa.Column("dag_run_id", sa.String(250)),
        sa.Column("task_id", sa.String(250)),
        sa.Column("map_index", sa.Integer),
        sa.Column("try_number", sa.Integer),
        sa.Column("order_id", _Id),
        sa.Column("customer_external_id", sa.String(255)),
        sa.Column("customer_id", sa.String(255)),
        sa.Column("subscriber_email", sa.String(320)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("method", sa.String(10)),
        sa.Column("path", sa.String(2048)),
        sa.Column("http_status", sa.Integer),
        sa.Column("tracking_id", sa.String(255)),
        sa.Column("error_codes", sa.JSON),
        sa.Column("duration_ms", sa.Integer),
        sa.Column("result", sa.Text),
    )
    op.create_index("ix_wholesale_audit_dag_run_id", "wholesale_audit", ["dag_run_id"])
    op.create_index("ix_wholesale_audit_order_id", "wholesale_audit", ["order_id"])
    op.create_index("ix_wholesale_audit_customer_external_id", "wholesale_audit", ["customer_external_id"])


def downgrade() -> None:
    op.drop_table("wholesale_audit")
    op.drop_table("wholesale_run")
    op.drop_table("wholesale_order_transition")
    op.drop_table("wholesale_order")
